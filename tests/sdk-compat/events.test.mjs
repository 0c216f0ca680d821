import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { client, createInbox, uniqueName } from "./support.mjs";

// An agent's webhook handler: a real HTTP server on loopback that checks each delivery's Svix signature the way
// Svix's libraries do (HMAC-SHA256 of "id.timestamp.body" keyed with the base64 part of the secret, timestamp fresh).
async function startReceiver() {
    const received = [];
    const waiting = [];
    const receiver = { secret: null, received };
    const server = createServer((req, res) => {
        const chunks = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            const id = req.headers["svix-id"];
            const timestamp = req.headers["svix-timestamp"];
            const key = Buffer.from(receiver.secret.slice("whsec_".length), "base64");
            const expected = Buffer.from(createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64"));
            const verified = String(req.headers["svix-signature"]).split(" ").some((s) => {
                const given = Buffer.from(s.replace(/^v1,/, ""));
                return given.length === expected.length && timingSafeEqual(given, expected);
            }) && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
            res.writeHead(verified ? 200 : 401).end();
            const delivery = { verified, headers: req.headers, json: JSON.parse(body) };
            received.push(delivery);
            waiting.shift()?.(delivery);
        });
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    receiver.url = `http://127.0.0.1:${server.address().port}/hooks`;
    receiver.next = (ms = 20_000) => received.length > receiver.taken
        ? Promise.resolve(received[receiver.taken++])
        : new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("no delivery arrived in time")), ms);
            waiting.push((d) => { clearTimeout(timer); receiver.taken++; resolve(d); });
        });
    receiver.taken = 0;
    receiver.close = () => new Promise((resolve) => server.close(resolve));
    return receiver;
}

/** Frames from an SDK websocket, one at a time. */
function frames(socket) {
    const queue = [];
    const waiting = [];
    socket.on("message", (m) => (waiting.length ? waiting.shift()(m) : queue.push(m)));
    return (ms = 20_000) => queue.length ? Promise.resolve(queue.shift()) : new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no frame arrived in time")), ms);
        waiting.push((m) => { clearTimeout(timer); resolve(m); });
    });
}

const eventTypeOf = (frame) => frame.eventType ?? frame.event_type;
const eventIdOf = (frame) => frame.eventId ?? frame.event_id;

describe("events", () => {
    test("webhooks.create answers a whsec_ secret; get, list, update and delete work; the same clientId answers the same webhook", async () => {
        const inbox = await createInbox("hooks-crud");
        const clientId = uniqueName("hook");
        const created = await client.webhooks.create({ url: "https://example.com/agent-hooks", eventTypes: ["message.received"], inboxIds: [inbox.inboxId], clientId });
        assert.match(created.secret, /^whsec_[A-Za-z0-9+/=]+$/);
        assert.equal(created.enabled, true);
        assert.deepEqual(created.inboxIds, [inbox.inboxId]);
        assert.ok(created.createdAt instanceof Date);

        const again = await client.webhooks.create({ url: "https://example.com/agent-hooks", eventTypes: ["message.received"], inboxIds: [inbox.inboxId], clientId });
        assert.equal(again.webhookId, created.webhookId);
        assert.equal(again.secret, created.secret);

        assert.equal((await client.webhooks.get(created.webhookId)).url, "https://example.com/agent-hooks");
        const listed = await client.webhooks.list({ limit: 100 });
        assert.ok(listed.webhooks.some((w) => w.webhookId === created.webhookId));

        const updated = await client.webhooks.update(created.webhookId, { eventTypes: ["message.received", "message.sent"] });
        assert.deepEqual(updated.eventTypes, ["message.received", "message.sent"]);

        await client.webhooks.delete(created.webhookId);
        await assert.rejects(client.webhooks.get(created.webhookId), (e) => e.statusCode === 404);
    });

    test("a sent message is delivered to the agent's endpoint, signed as Svix signs", async () => {
        const receiver = await startReceiver();
        try {
            const inbox = await createInbox("hooks-sent");
            const webhook = await client.webhooks.create({ url: receiver.url, eventTypes: ["message.sent"], inboxIds: [inbox.inboxId] });
            receiver.secret = webhook.secret;

            const sent = await client.inboxes.messages.send(inbox.inboxId, { to: ["prospect@example.com"], subject: "Hello", text: "Hi" });
            const delivery = await receiver.next();
            assert.ok(delivery.verified, "the svix-signature verifies with the webhook's secret");
            assert.equal(delivery.json.type, "event");
            assert.equal(delivery.json.event_type, "message.sent");
            assert.equal(delivery.headers["svix-id"], delivery.json.event_id);
            assert.equal(delivery.json.send.message_id, sent.messageId);
            assert.equal(delivery.json.send.thread_id, sent.threadId);
            assert.deepEqual(delivery.json.send.recipients, ["prospect@example.com"]);
        } finally {
            await receiver.close();
        }
    });

    test("client.websockets subscribes, receives message and draft events, and a reconnect with the last event_id gets what it missed", async () => {
        const inbox = await createInbox("ws");
        const socket = await client.websockets.connect();
        const next = frames(socket);
        socket.sendSubscribe({ type: "subscribe", eventTypes: ["message.sent", "draft.created"], inboxIds: [inbox.inboxId] });
        const subscribed = await next();
        assert.equal(subscribed.type, "subscribed");

        const draft = await client.inboxes.drafts.create(inbox.inboxId, { to: ["bob@example.com"], subject: "Draft" });
        const created = await next();
        assert.equal(eventTypeOf(created), "draft.created");
        assert.equal((created.draft.draftId ?? created.draft.draft_id), draft.draftId);

        const sent = await client.inboxes.messages.send(inbox.inboxId, { to: ["bob@example.com"], subject: "Sent", text: "Hi" });
        let frame = await next();
        while (eventTypeOf(frame) !== "message.sent") {
            frame = await next();
        }
        assert.equal(frame.send.messageId ?? frame.send.message_id, sent.messageId);
        const lastSeen = eventIdOf(frame);
        socket.close();

        const missed = await client.inboxes.messages.send(inbox.inboxId, { to: ["bob@example.com"], subject: "While away", text: "Hi" });
        const again = await client.websockets.connect({ queryParams: { last_event_id: lastSeen } });
        const nextAgain = frames(again);
        again.sendSubscribe({ type: "subscribe", eventTypes: ["message.sent"], inboxIds: [inbox.inboxId] });
        assert.equal((await nextAgain()).type, "subscribed");
        const caughtUp = await nextAgain();
        assert.equal(eventTypeOf(caughtUp), "message.sent");
        assert.equal(caughtUp.send.messageId ?? caughtUp.send.message_id, missed.messageId);
        again.close();
    });
});
