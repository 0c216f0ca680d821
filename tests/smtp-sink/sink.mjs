// A real SMTP server on 127.0.0.1 for the delivery tests. Every accepted message is kept as <n>.eml (the bytes as
// received) and <n>.json (the envelope); every refusal is a line in refusals.log. It can answer like a busy or
// picky server: --fail-first n answers the first n messages with a 4xx after DATA, --reject-rcpt refuses one
// recipient for good, --auth requires that one user and password, --tls speaks TLS from the first byte with
// smtp-server's built-in self-signed localhost certificate (which a client that checks certificates refuses).
//
//   node sink.mjs --port <p> --dir <folder> [--fail-first <n> --fail-code <451>]
//                 [--reject-rcpt <address> --reject-code <550>] [--auth <user>:<password>] [--tls]
//
// --port 0 takes any free port. Prints "listening <port>" once ready, then "rejected ..." and "accepted <n>" lines.
// Exits when stdin closes (so it never outlives the test run that started it) or on SIGTERM/SIGINT.
import { SMTPServer } from 'smtp-server';
import { parseArgs } from 'node:util';
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const { values } = parseArgs({
    options: {
        port: { type: 'string' },
        dir: { type: 'string' },
        'fail-first': { type: 'string', default: '0' },
        'fail-code': { type: 'string', default: '451' },
        'reject-rcpt': { type: 'string', multiple: true, default: [] },
        'reject-code': { type: 'string', default: '550' },
        auth: { type: 'string' },
        tls: { type: 'boolean', default: false },
    },
    strict: true,
});

if (values.port === undefined || values.dir === undefined) {
    console.error('usage: node sink.mjs --port <p> --dir <folder> [--fail-first <n> --fail-code <4xx>] [--reject-rcpt <address> --reject-code <5xx>]');
    process.exit(2);
}

const port = Number(values.port);
const dir = values.dir;
const failCode = Number(values['fail-code']);
const rejectCode = Number(values['reject-code']);
const rejected = new Set(values['reject-rcpt'].map(a => a.toLowerCase()));
const credentials = values.auth === undefined ? null : {
    username: values.auth.slice(0, values.auth.indexOf(':')),
    password: values.auth.slice(values.auth.indexOf(':') + 1),
};
let failuresLeft = Number(values['fail-first']);
let accepted = 0;

mkdirSync(dir, { recursive: true });

// Written before the reply goes out, so once a client has its answer the refusal is already on record.
function refuse(what, code, text) {
    appendFileSync(join(dir, 'refusals.log'), `${what}\n`);
    console.log(`rejected ${what}`);
    return reply(code, text);
}

function reply(code, text) {
    const error = new Error(text);
    error.responseCode = code;
    return error;
}

// Enhanced status codes in the texts, as real servers send them, so a reason shown to a person reads like one.
const server = new SMTPServer({
    secure: values.tls,
    authOptional: credentials === null,
    // Plain-text AUTH is what a loopback test server needs; a real server would insist on TLS first.
    allowInsecureAuth: true,
    // One mechanism, so one refused AUTH per connection: clients try every offered mechanism before giving up.
    authMethods: ['PLAIN'],
    disabledCommands: credentials === null ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    logger: false,
    onAuth(auth, session, callback) {
        if (credentials !== null && auth.username === credentials.username && auth.password === credentials.password) {
            return callback(null, { user: auth.username });
        }
        callback(refuse(`AUTH 535 ${auth.username}`, 535, '5.7.8 authentication failed'));
    },
    onRcptTo(address, session, callback) {
        if (rejected.has(address.address.toLowerCase())) {
            return callback(refuse(`RCPT ${rejectCode} ${address.address}`, rejectCode, `${Math.floor(rejectCode / 100)}.1.1 no such user`));
        }
        callback();
    },
    onData(stream, session, callback) {
        const chunks = [];
        stream.on('data', chunk => chunks.push(chunk));
        stream.on('end', () => {
            if (failuresLeft > 0) {
                failuresLeft--;
                return callback(refuse(`DATA ${failCode}`, failCode, `${Math.floor(failCode / 100)}.3.0 try later`));
            }
            accepted++;
            const envelope = {
                mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
                rcptTo: session.envelope.rcptTo.map(r => r.address),
            };
            // The .json appears last and whole, so a reader that sees it also sees the complete .eml.
            writeFileSync(join(dir, `${accepted}.eml`), Buffer.concat(chunks));
            writeFileSync(join(dir, `${accepted}.json.tmp`), JSON.stringify(envelope, null, 2));
            renameSync(join(dir, `${accepted}.json.tmp`), join(dir, `${accepted}.json`));
            console.log(`accepted ${accepted}`);
            callback(null, `2.0.0 kept as ${accepted}.eml`);
        });
    },
});

let listening = false;
server.on('error', error => {
    console.error(`sink error: ${error.message}`);
    // Before "listening" nobody is waiting on a working server: exit so the starter sees why at once.
    if (!listening) {
        process.exit(1);
    }
});

function stop() {
    server.close();
    process.exit(0);
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();

server.listen(port, '127.0.0.1', () => {
    listening = true;
    console.log(`listening ${server.server.address().port}`);
});
