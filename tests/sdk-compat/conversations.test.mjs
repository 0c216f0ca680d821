import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { AgentMail, allMessages, assertBlames, assertDate, client, createInbox, deliverReply, rejection } from "./support.mjs";

async function allThreads(inboxId, request = {}) {
    const page = await client.inboxes.threads.list(inboxId, { limit: 100, ...request });
    return page.threads;
}

describe("conversations", () => {
    test("messages.send answers the ids; the thread lists, shows its message and takes labels", async () => {
        const inbox = await createInbox("conv-send");
        const sent = await client.inboxes.messages.send(inbox.inboxId, {
            to: ["prospect@example.com"],
            subject: "Quick question about your workflow",
            text: "Hi, I noticed your team is scaling quickly...",
            labels: ["outreach"],
        });
        assert.match(sent.messageId, /^<[^<>@\s]+@[^<>@\s]+>$/);
        assert.equal(typeof sent.threadId, "string");

        const message = await client.inboxes.messages.get(inbox.inboxId, sent.messageId);
        assert.equal(message.threadId, sent.threadId);
        assert.ok(message.labels.includes("sent") && message.labels.includes("outreach"), JSON.stringify(message.labels));

        const threads = await allThreads(inbox.inboxId);
        assert.deepEqual(threads.map((t) => t.threadId), [sent.threadId]);
        const item = threads[0];
        assert.equal(item.messageCount, 1);
        assert.equal(item.lastMessageId, sent.messageId);
        assert.equal(item.subject, "Quick question about your workflow");
        assert.deepEqual(item.senders, [inbox.inboxId]);
        assert.deepEqual(item.recipients, ["prospect@example.com"]);
        assertDate(item.timestamp, "timestamp");
        assertDate(item.sentTimestamp, "sentTimestamp");

        const updated = await client.inboxes.threads.update(inbox.inboxId, sent.threadId, { addLabels: ["follow-up:abc"] });
        assert.equal(updated.threadId, sent.threadId);
        assert.ok(updated.labels.includes("follow-up:abc") && updated.labels.includes("sent"), JSON.stringify(updated.labels));

        const thread = await client.inboxes.threads.get(inbox.inboxId, sent.threadId);
        assert.deepEqual(thread.messages.map((m) => m.messageId), [sent.messageId]);
        assert.equal(thread.messages[0].text, "Hi, I noticed your team is scaling quickly...");
        assert.ok(thread.labels.includes("follow-up:abc"));

        const removed = await client.inboxes.threads.update(inbox.inboxId, sent.threadId, { removeLabels: ["follow-up:abc"] });
        assert.ok(!removed.labels.includes("follow-up:abc"));
        const refused = await rejection(client.inboxes.threads.update(inbox.inboxId, sent.threadId, { removeLabels: ["sent"] }), AgentMail.ValidationError, 400);
        assertBlames(refused, "remove_labels");

        const organisation = await client.threads.get(sent.threadId);
        assert.equal(organisation.threadId, sent.threadId);
    });

    test("reply and reply-all stay in the thread with Re: and the replied-to message's recipients", async () => {
        const inbox = await createInbox("conv-reply");
        const first = await client.inboxes.messages.send(inbox.inboxId, { to: ["ana@example.com"], cc: ["team@example.com"], subject: "Meeting on Friday", text: "Does 10:00 work?" });

        const reply = await client.inboxes.messages.reply(inbox.inboxId, first.messageId, { text: "Following up." });
        const replyAll = await client.inboxes.messages.replyAll(inbox.inboxId, first.messageId, { text: "Everyone: following up." });

        assert.equal(reply.threadId, first.threadId);
        assert.equal(replyAll.threadId, first.threadId);
        const replied = await client.inboxes.messages.get(inbox.inboxId, reply.messageId);
        assert.equal(replied.inReplyTo, first.messageId);
        assert.equal(replied.subject, "Re: Meeting on Friday");
        assert.deepEqual(replied.to, ["ana@example.com"]);
        const all = await client.inboxes.messages.get(inbox.inboxId, replyAll.messageId);
        assert.deepEqual(all.cc, ["team@example.com"]);

        const thread = await client.inboxes.threads.get(inbox.inboxId, first.threadId);
        assert.deepEqual(thread.messages.map((m) => m.messageId), [first.messageId, reply.messageId, replyAll.messageId]);
        assert.equal(thread.messageCount, 3);
    });

    test("forward starts a thread of its own with Fwd: and the original quoted", async () => {
        const inbox = await createInbox("conv-fwd");
        const first = await client.inboxes.messages.send(inbox.inboxId, { to: ["ana@example.com"], subject: "Invoice 2041", text: "Attached." });

        const forwarded = await client.inboxes.messages.forward(inbox.inboxId, first.messageId, { to: ["finance@example.com"], text: "FYI" });

        assert.notEqual(forwarded.threadId, first.threadId);
        const message = await client.inboxes.messages.get(inbox.inboxId, forwarded.messageId);
        assert.equal(message.subject, "Fwd: Invoice 2041");
        assert.deepEqual(message.to, ["finance@example.com"]);
        assert.ok(message.text.startsWith("FYI") && message.text.includes("Forwarded message") && message.text.includes("Attached."), message.text);
    });

    test("a message's labels change by update; sent stays", async () => {
        const inbox = await createInbox("conv-labels");
        const sent = await client.inboxes.messages.send(inbox.inboxId, { to: ["ana@example.com"], subject: "Labels", text: "x" });

        const updated = await client.inboxes.messages.update(inbox.inboxId, sent.messageId, { addLabels: ["important"] });
        assert.equal(updated.messageId, sent.messageId);
        assert.deepEqual(updated.labels.slice().sort(), ["important", "sent"]);
        const thread = await client.inboxes.threads.get(inbox.inboxId, sent.threadId);
        assert.ok(thread.labels.includes("important"));
    });

    test("messages.send with an idempotency key sends once however often it is asked", async () => {
        const inbox = await createInbox("conv-idem");
        const idempotencyKey = randomUUID();
        const request = { to: ["ana@example.com"], subject: "Once", text: "Only once." };

        const first = await client.inboxes.messages.send(inbox.inboxId, request, { idempotencyKey });
        const again = await client.inboxes.messages.send(inbox.inboxId, request, { idempotencyKey });

        assert.deepEqual(again, first);
        assert.equal((await allMessages(inbox.inboxId)).length, 1);
    });

    test("a message without recipients is refused by name", async () => {
        const inbox = await createInbox("conv-bad");
        const error = await rejection(client.inboxes.messages.send(inbox.inboxId, { subject: "To nobody", text: "x" }), AgentMail.ValidationError, 400);
        assertBlames(error, "to");
    });

    test("messages.getRaw links the MIME that went out, and a thread's attachments are its messages'", async () => {
        const inbox = await createInbox("conv-raw");
        const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x0d]);
        const sent = await client.inboxes.messages.send(inbox.inboxId, {
            to: ["ana@example.com"],
            subject: "The contract",
            text: "Attached.",
            attachments: [{ filename: "contract.pdf", contentType: "application/pdf", content: pdf.toString("base64") }],
        });

        const raw = await client.inboxes.messages.getRaw(inbox.inboxId, sent.messageId);
        assert.equal(raw.messageId, sent.messageId);
        assertDate(raw.expiresAt, "expiresAt");
        const eml = Buffer.from(await (await fetch(raw.downloadUrl)).arrayBuffer());
        assert.equal(eml.length, raw.size);
        const text = eml.toString("latin1");
        assert.match(text, /^Subject: The contract\r$/m);
        const messageIdHeader = text.split("\r\n").find((line) => /^message-id:/i.test(line));
        assert.equal(messageIdHeader?.replace(/^message-id:\s*/i, ""), sent.messageId, "the .eml carries the message's Message-ID");

        const message = await client.inboxes.messages.get(inbox.inboxId, sent.messageId);
        const attachmentId = message.attachments[0].attachmentId;
        for (const attachment of [
            await client.inboxes.threads.getAttachment(inbox.inboxId, sent.threadId, attachmentId),
            await client.threads.getAttachment(sent.threadId, attachmentId),
        ]) {
            assert.equal(attachment.filename, "contract.pdf");
            assert.deepEqual(Buffer.from(await (await fetch(attachment.downloadUrl)).arrayBuffer()), pdf);
        }
        await rejection(client.threads.getAttachment(sent.threadId, "no-such-attachment"), AgentMail.NotFoundError, 404);
    });

    test("deleting a thread removes its messages", async () => {
        const inbox = await createInbox("conv-del");
        const sent = await client.inboxes.messages.send(inbox.inboxId, { to: ["ana@example.com"], subject: "Gone", text: "x" });

        await client.inboxes.threads.delete(inbox.inboxId, sent.threadId);

        await rejection(client.inboxes.threads.get(inbox.inboxId, sent.threadId), AgentMail.NotFoundError, 404);
        await rejection(client.inboxes.messages.get(inbox.inboxId, sent.messageId), AgentMail.NotFoundError, 404);
    });

    test("the seed's conditional follow-up, call for call: the reply arrives by mail and the handler cancels the follow-up", async () => {
        const inbox = await createInbox("conv-seed");
        const inboxId = inbox.inboxId;
        // Step 1: send the initial email.
        const initial = await client.inboxes.messages.send(inboxId, {
            to: ["prospect@example.com"],
            subject: "Quick question about your workflow",
            text: "Hi, I noticed your team is scaling quickly...",
        });
        // Step 2: schedule a follow-up for three days later at 9:00 UTC.
        const followUpTime = new Date(Date.now() + 3 * 24 * 3600 * 1000);
        followUpTime.setUTCHours(9, 0, 0, 0);
        const followUp = await client.inboxes.drafts.create(inboxId, {
            to: ["prospect@example.com"],
            subject: "Re: Quick question about your workflow",
            text: "Hi again — just bumping this in case it got buried...",
            inReplyTo: initial.messageId,
            sendAt: followUpTime,
        });
        // Step 3: tag the thread so the handler can find the follow-up.
        await client.inboxes.threads.update(inboxId, initial.threadId, { addLabels: [`follow-up:${followUp.draftId}`] });

        // The prospect answers, by mail.
        await deliverReply({
            to: inboxId,
            from: "prospect@example.com",
            subject: "Re: Quick question about your workflow",
            inReplyTo: initial.messageId,
            text: "Thanks, yes: let's talk on Monday.",
        });

        // Step 4, the message.received handler: the reply is in the thread, whose labels name the follow-up.
        const thread = await client.inboxes.threads.get(inboxId, initial.threadId);
        assert.equal(thread.messageCount, 2, "the reply joined the first message's thread");
        const reply = thread.messages[1];
        assert.ok(reply.labels.includes("received"), JSON.stringify(reply.labels));
        assert.equal(reply.inReplyTo, initial.messageId);
        const label = thread.labels.find((l) => l.startsWith("follow-up:"));
        assert.equal(label, `follow-up:${followUp.draftId}`);
        await client.inboxes.drafts.delete(inboxId, label.split("follow-up:")[1]);
        await client.inboxes.threads.update(inboxId, initial.threadId, { removeLabels: [label] });

        await rejection(client.inboxes.drafts.get(inboxId, followUp.draftId), AgentMail.NotFoundError, 404);
        const after = await client.inboxes.threads.get(inboxId, initial.threadId);
        assert.ok(!after.labels.some((l) => l.startsWith("follow-up:")), JSON.stringify(after.labels));
        const sent = await allMessages(inboxId, { labels: ["sent"] });
        assert.deepEqual(sent.map((m) => m.messageId), [initial.messageId], "the follow-up never left");
    });

    test("without the agent's handler, the inbox's built-in hold keeps the follow-up from leaving when the reply arrives", async () => {
        const inbox = await createInbox("conv-hold");
        const initial = await client.inboxes.messages.send(inbox.inboxId, { to: ["prospect@example.com"], subject: "Pricing", text: "Here is our pricing." });
        const followUp = await client.inboxes.drafts.create(inbox.inboxId, {
            to: ["prospect@example.com"],
            subject: "Re: Pricing",
            text: "Just bumping this.",
            inReplyTo: initial.messageId,
            sendAt: new Date(Date.now() + 3600 * 1000),
        });
        assert.equal(followUp.sendStatus, "scheduled");
        // This server's extensions reach an SDK user under their wire names: the SDK passes unknown fields through.
        assert.equal((await client.inboxes.get(inbox.inboxId)).on_reply, "hold");

        await deliverReply({ to: inbox.inboxId, from: "prospect@example.com", subject: "Re: Pricing", inReplyTo: initial.messageId, text: "Too expensive." });

        const held = await client.inboxes.drafts.get(inbox.inboxId, followUp.draftId);
        assert.equal(held.sendStatus, undefined, "no longer scheduled");
        assert.equal(held.sendAt, undefined);
        assert.ok(!held.labels.includes("scheduled"), JSON.stringify(held.labels));
        assert.match(held.held_reason, /^a reply from prospect@example\.com arrived at .+; held for a person$/);
    });
});
