// A real SMTP server on 127.0.0.1 for the delivery tests. Every accepted message is kept as <n>.eml (the bytes as
// received) and <n>.json (the envelope); every refusal is a line in refusals.log. Every complete message (its final
// "." arrived), whatever the answer, is a line in received.log with its Message-ID, written before the answer goes
// out; a message cut off before its final "." is a line in partial.log instead.
//
// It can answer like a busy, picky or broken server, each mode usable alone:
//   --fail-first n          answers the first n messages with a 4xx (--fail-code, 451) after DATA, then accepts
//   --reject-data code      answers every final "." with this code (e.g. 554); nothing is accepted
//   --reject-rcpt address   refuses that recipient for good (--reject-code, 550)
//   --silent-after-data     keeps every complete message (.eml, .json, received.log) and then never answers its
//                           final ".": the connection stays open and silent until the client gives up
//   --drop-mid-data         resets the connection as soon as the first part of a message body arrives; nothing is
//                           kept, the cut-off message is a line in partial.log
//   --slow ms               sends every reply, the greeting included, that many ms late (and still accepts)
//   --auth user:password    requires that one user and password
//   --tls                   speaks TLS from the first byte with smtp-server's built-in self-signed localhost
//                           certificate (which a client that checks certificates refuses)
//   --greet-at-once         a fast server, for the benchmark: greets as soon as a client connects. By default
//                           smtp-server holds every greeting 100 ms (to catch clients that talk before it) and first
//                           looks the client's address up in DNS (up to 1.5 s)
// A server that is down needs no mode: connect to a port nobody listens on.
//
//   node sink.mjs --port <p> --dir <folder> [mode flags above]
//
// --port 0 takes any free port. Prints "listening <port>" once ready, then "rejected ...", "accepted <n>",
// "silent <n>" and "dropped ..." lines. Exits when stdin closes (so it never outlives the test run that started it) or
// on SIGTERM/SIGINT.
import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { parseArgs } from 'node:util';
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const { values } = parseArgs({
    options: {
        port: { type: 'string' },
        dir: { type: 'string' },
        'fail-first': { type: 'string', default: '0' },
        'fail-code': { type: 'string', default: '451' },
        'reject-data': { type: 'string' },
        'reject-rcpt': { type: 'string', multiple: true, default: [] },
        'reject-code': { type: 'string', default: '550' },
        'silent-after-data': { type: 'boolean', default: false },
        'drop-mid-data': { type: 'boolean', default: false },
        slow: { type: 'string', default: '0' },
        auth: { type: 'string' },
        tls: { type: 'boolean', default: false },
        'greet-at-once': { type: 'boolean', default: false },
    },
    strict: true,
});

function usage(problem) {
    console.error(`${problem}\nusage: node sink.mjs --port <p> --dir <folder> [--fail-first <n> --fail-code <4xx>] [--reject-data <5xx>] ` +
        '[--reject-rcpt <address> --reject-code <5xx>] [--silent-after-data] [--drop-mid-data] [--slow <ms>] [--auth <user>:<password>] [--tls] ' +
        '[--greet-at-once]');
    process.exit(2);
}

function code(name, value, low, high) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < low || n > high) {
        usage(`--${name} ${value}: expected a number from ${low} to ${high}`);
    }
    return n;
}

if (values.port === undefined || values.dir === undefined) {
    usage('--port and --dir are required');
}

const port = Number(values.port);
const dir = values.dir;
const failCode = code('fail-code', values['fail-code'], 400, 499);
const rejectCode = code('reject-code', values['reject-code'], 500, 599);
const rejectDataCode = values['reject-data'] === undefined ? null : code('reject-data', values['reject-data'], 500, 599);
const slowMs = code('slow', values.slow, 0, 600000);
const silentAfterData = values['silent-after-data'];
const dropMidData = values['drop-mid-data'];
const rejected = new Set(values['reject-rcpt'].map(a => a.toLowerCase()));
const credentials = values.auth === undefined ? null : {
    username: values.auth.slice(0, values.auth.indexOf(':')),
    password: values.auth.slice(values.auth.indexOf(':') + 1),
};
let failuresLeft = code('fail-first', values['fail-first'], 0, 1000000);
let accepted = 0;

mkdirSync(dir, { recursive: true });

if (slowMs > 0) {
    // send() is the connection's one write site for replies (smtp-server says so at its definition; the version is
    // pinned), so delaying it delays every reply, the greeting included. Timers of equal delay fire in the order they
    // were set, so replies keep their order.
    const send = SMTPConnection.prototype.send;
    SMTPConnection.prototype.send = function (...args) {
        setTimeout(() => send.apply(this, args), slowMs);
    };
}

if (values['greet-at-once']) {
    // init() sets up the socket's listeners and then waits 100 ms before connectionReady(), which sends the greeting
    // (smtp-server says so at its definition; the version is pinned). This is the same without the wait. The reverse
    // lookup is switched off by its own option below. No --max-clients here, so init's client limit check has nothing
    // to check.
    SMTPConnection.prototype.init = function () {
        this._setListeners(() => this.connectionReady());
    };
}

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

/** The Message-ID header's value without its angle brackets, or "-" when the message has none. */
function messageIdOf(raw) {
    const end = raw.indexOf('\r\n\r\n');
    const header = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1').replace(/\r\n[ \t]+/g, ' ');
    const line = header.split('\r\n').find(l => /^message-id\s*:/i.test(l));
    if (line === undefined) {
        return '-';
    }
    const value = line.slice(line.indexOf(':') + 1).trim();
    return value.replace(/^<(.*)>$/, '$1') || '-';
}

/** Keeps a message as <n>.eml and <n>.json; the .json appears last and whole, so a reader that sees it also sees the .eml. */
function keep(raw, session) {
    accepted++;
    const envelope = {
        mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        rcptTo: session.envelope.rcptTo.map(r => r.address),
    };
    writeFileSync(join(dir, `${accepted}.eml`), raw);
    writeFileSync(join(dir, `${accepted}.json.tmp`), JSON.stringify(envelope, null, 2));
    renameSync(join(dir, `${accepted}.json.tmp`), join(dir, `${accepted}.json`));
    return accepted;
}

// The raw sockets by client port, so --drop-mid-data can cut one off the way a crash or a broken network would.
const sockets = new Map();

// Enhanced status codes in the texts, as real servers send them, so a reason shown to a person reads like one.
const server = new SMTPServer({
    secure: values.tls,
    disableReverseLookup: values['greet-at-once'],
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
        let bytes = 0;
        let cut = false;
        // A message that never reached its final "." (the client went away, or --drop-mid-data cut it off).
        const partial = reason => {
            const raw = Buffer.concat(chunks);
            appendFileSync(join(dir, 'partial.log'), `${messageIdOf(raw)} ${bytes} ${reason}\n`);
            console.log(`dropped ${bytes} bytes (${reason})`);
        };
        stream.on('error', () => {
            if (!cut) {
                cut = true;
                partial('connection closed');
            }
        });
        stream.on('data', chunk => {
            if (cut) {
                return;
            }
            chunks.push(chunk);
            bytes += chunk.length;
            if (dropMidData) {
                cut = true;
                partial('dropped mid-data');
                const socket = sockets.get(session.remotePort);
                if (socket !== undefined) {
                    socket.resetAndDestroy();
                }
            }
        });
        stream.on('end', () => {
            if (cut) {
                return;
            }
            const raw = Buffer.concat(chunks);
            // Complete, whatever is answered next: on record before any answer goes out.
            appendFileSync(join(dir, 'received.log'), `${messageIdOf(raw)}\n`);
            if (failuresLeft > 0) {
                failuresLeft--;
                return callback(refuse(`DATA ${failCode}`, failCode, `${Math.floor(failCode / 100)}.3.0 try later`));
            }
            if (rejectDataCode !== null) {
                return callback(refuse(`DATA ${rejectDataCode}`, rejectDataCode, `${Math.floor(rejectDataCode / 100)}.7.1 message refused`));
            }
            const n = keep(raw, session);
            if (silentAfterData) {
                // Kept, and never answered: the callback is dropped, and smtp-server does not time out a connection
                // that waits for the server, so it stays open until the client gives up.
                console.log(`silent ${n}`);
                return;
            }
            console.log(`accepted ${n}`);
            callback(null, `2.0.0 kept as ${n}.eml`);
        });
    },
});

server.server.on('connection', socket => {
    const clientPort = socket.remotePort;
    sockets.set(clientPort, socket);
    socket.on('close', () => sockets.delete(clientPort));
});

let listening = false;
server.on('error', error => {
    // A client cut off on purpose (--drop-mid-data) is not the server's error.
    if (error.code === 'ECONNRESET' && dropMidData) {
        return;
    }
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
