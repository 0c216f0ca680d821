// Shared by every SDK compatibility test: the client an agent would build, unique names, paging and error helpers.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { AgentMailClient, AgentMail, AgentMailError } from "agentmail";

export { AgentMail, AgentMailError };

function requiredEnv(name) {
    const value = process.env[name];
    if (!value) {
        throw new Error(`${name} is not set; the E2E suite sets it, or set it by hand to a running AgentMail Review server`);
    }
    return value;
}

export const baseUrl = requiredEnv("AGENTMAIL_BASE_URL");
export const apiKey = requiredEnv("AGENTMAIL_API_KEY");

// A reserved test domain that is not the server's default, so a server that ignored the requested domain is caught.
export const domain = "sdk-compat.example.test";

export function newClient(key = apiKey) {
    // The SDK retries 5xx by default; a retried create could mask the first failure and duplicate a draft, so every
    // answer the server gives is the one the test sees.
    return new AgentMailClient({ apiKey: key, baseUrl, maxRetries: 0, timeoutInSeconds: 30 });
}

export const client = newClient();

/**
 * Someone answering by mail: a real SMTP client (Debian's swaks) delivers a reply to the server's own listener, as a
 * mail server in front of it would. Resolves with swaks' transcript once the listener has answered 250 to the data.
 */
export async function deliverReply({ to, from, subject, inReplyTo, text }) {
    const port = requiredEnv("AGENTMAIL_REVIEW_SMTP_PORT");
    const { stdout } = await promisify(execFile)("swaks", [
        "--server", `127.0.0.1:${port}`, "--to", to, "--from", from,
        "--header", `Subject: ${subject}`, "--header", `In-Reply-To: ${inReplyTo}`, "--header", `References: ${inReplyTo}`,
        "--body", text, "--hide-informational",
    ], { timeout: 30_000 });
    return stdout;
}

// Each run makes fresh names, so reruns against the same data folder never collide with earlier inboxes.
export function uniqueName(prefix) {
    return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

export async function createInbox(prefix) {
    const username = uniqueName(prefix);
    const inbox = await client.inboxes.create({ username, domain });
    assert.equal(inbox.inboxId, `${username}@${domain}`, "the inbox id is the address made of the requested username and domain");
    return inbox;
}

/** Follows next_page_token to the end; returns every page as the server answered it. */
export async function pages(fetchPage, { maxPages = 1000 } = {}) {
    const all = [];
    let pageToken;
    do {
        const page = await fetchPage(pageToken);
        all.push(page);
        pageToken = page.nextPageToken;
        assert.ok(all.length <= maxPages, `still paging after ${maxPages} pages; the next_page_token never ends`);
    } while (pageToken);
    return all;
}

export async function allDrafts(inboxId, request = {}) {
    const all = await pages((pageToken) => client.inboxes.drafts.list(inboxId, { ...request, pageToken }));
    return all.flatMap((p) => p.drafts);
}

export async function allInboxes() {
    const all = await pages((pageToken) => client.inboxes.list({ pageToken, limit: 100 }));
    return all.flatMap((p) => p.inboxes);
}

export async function allMessages(inboxId, request = {}) {
    const all = await pages((pageToken) => client.inboxes.messages.list(inboxId, { ...request, pageToken }));
    return all.flatMap((p) => p.messages);
}

/**
 * Awaits a call that must fail and checks what an agent would branch on: the SDK error class and the HTTP status.
 * Returns the error so the caller can look at its body.
 */
export async function rejection(promise, ErrorClass, statusCode) {
    let error;
    try {
        const value = await promise;
        assert.fail(`expected ${ErrorClass.name} (${statusCode}) but the call succeeded with ${JSON.stringify(value)}`);
    } catch (e) {
        if (e instanceof assert.AssertionError) {
            throw e;
        }
        error = e;
    }
    assert.ok(
        error instanceof ErrorClass,
        `expected ${ErrorClass.name} but got ${error?.constructor?.name} (status ${error?.statusCode}): ${explain(error)}`,
    );
    assert.equal(error.statusCode, statusCode, `status code of ${explain(error)}`);
    return error;
}

/** The wire names of the fields a 400 ValidationError body blames, e.g. ["to[0]", "subject"]. */
export function blamedFields(error) {
    const entries = error?.body?.errors;
    assert.ok(Array.isArray(entries), `a validation error lists its field errors in "errors"; body was ${explain(error)}`);
    for (const entry of entries) {
        assert.equal(typeof entry.field, "string", `every field error names its field; got ${JSON.stringify(entry)}`);
        assert.equal(typeof entry.message, "string", `every field error says what is wrong; got ${JSON.stringify(entry)}`);
    }
    return entries.map((e) => e.field);
}

/** Asserts that the 400 body blames the wire field (exactly, or one of its items such as to[0]). */
export function assertBlames(error, field) {
    const fields = blamedFields(error);
    assert.ok(
        fields.some((f) => f === field || f.startsWith(`${field}[`) || f.startsWith(`${field}.`)),
        `expected the error to name "${field}"; it named ${JSON.stringify(fields)} in ${explain(error)}`,
    );
    assert.equal(error.body.name, "ValidationError");
    assert.equal(typeof error.body.message, "string");
}

export function explain(error) {
    if (error instanceof AgentMailError) {
        return `${error.constructor.name} ${error.statusCode} ${JSON.stringify(error.body)}`;
    }
    return String(error?.stack ?? error);
}

export function assertDate(value, what) {
    assert.ok(value instanceof Date, `${what} should parse to a Date (RFC 3339), got ${JSON.stringify(value)}`);
    assert.ok(!Number.isNaN(value.getTime()), `${what} is an invalid date`);
}

/** A time about an hour ahead with a non-zero millisecond part, so millisecond precision is visible on the wire. */
export function anHourAhead(extraMinutes = 0) {
    const at = new Date(Date.now() + (60 + extraMinutes) * 60_000);
    at.setUTCMilliseconds(437);
    return at;
}

export function sorted(values) {
    return [...(values ?? [])].sort();
}
