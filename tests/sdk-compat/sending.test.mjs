import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { AgentMail, allDrafts, allMessages, anHourAhead, assertDate, client, createInbox, domain, rejection } from "./support.mjs";

const content = {
    to: ["Ana Lima <ana@example.com>"],
    cc: ["finance@example.org"],
    subject: "Your invoice 2041",
    text: "Hi Ana, invoice 2041 is attached.",
    html: "<p>Hi Ana, invoice 2041 is attached.</p>",
    labels: ["billing"],
};

describe("sending", () => {
    test("send answers message and thread ids, removes the draft and records a sent Message", async () => {
        const inbox = await createInbox("send");
        const draft = await client.inboxes.drafts.create(inbox.inboxId, content);

        const sent = await client.inboxes.drafts.send(inbox.inboxId, draft.draftId, {});
        assert.equal(typeof sent.messageId, "string");
        assert.equal(typeof sent.threadId, "string");
        assert.match(sent.messageId, /^<[^<>@\s]+@[^<>@\s]+>$/, "message_id is an RFC 5322 Message-ID");
        assert.ok(sent.messageId.includes(draft.draftId), `message_id ${sent.messageId} is derived from draft id ${draft.draftId}`);
        assert.ok(sent.messageId.endsWith(`@${domain}>`), `message_id ${sent.messageId} uses the inbox's domain`);

        await rejection(client.inboxes.drafts.get(inbox.inboxId, draft.draftId), AgentMail.NotFoundError, 404);
        assert.deepEqual(await allDrafts(inbox.inboxId), [], "a sent draft no longer lists");

        const message = await client.inboxes.messages.get(inbox.inboxId, sent.messageId);
        assert.equal(message.messageId, sent.messageId);
        assert.equal(message.threadId, sent.threadId);
        assert.equal(message.inboxId, inbox.inboxId);
        assert.ok(message.from.includes(inbox.inboxId), `from ${message.from} is the inbox address`);
        assert.deepEqual(message.to, content.to);
        assert.deepEqual(message.cc, content.cc);
        assert.equal(message.subject, content.subject);
        assert.equal(message.text, content.text);
        assert.equal(message.html, content.html);
        assert.ok(message.labels.includes("sent"), `labels ${JSON.stringify(message.labels)} include "sent"`);
        assertDate(message.timestamp, "timestamp");
        assertDate(message.createdAt, "createdAt");

        const listed = await allMessages(inbox.inboxId);
        assert.deepEqual(listed.map((m) => m.messageId), [sent.messageId]);
        assert.equal(listed[0].threadId, sent.threadId);
        assert.equal(listed[0].subject, content.subject);
    });

    test("send's addLabels and removeLabels go on the message", async () => {
        const inbox = await createInbox("send-labels");
        const draft = await client.inboxes.drafts.create(inbox.inboxId, { ...content, labels: ["billing", "agent:invoice-bot"] });

        const sent = await client.inboxes.drafts.send(inbox.inboxId, draft.draftId, { addLabels: ["invoice", "q3"], removeLabels: "billing" });

        const message = await client.inboxes.messages.get(inbox.inboxId, sent.messageId);
        assert.deepEqual([...message.labels].sort(), ["agent:invoice-bot", "invoice", "q3", "sent"]);
    });

    test("send with a label the server sets is a ValidationError naming it, and nothing is sent", async () => {
        const inbox = await createInbox("send-bad-label");
        const draft = await client.inboxes.drafts.create(inbox.inboxId, content);

        const error = await rejection(client.inboxes.drafts.send(inbox.inboxId, draft.draftId, { addLabels: ["sent"] }), AgentMail.ValidationError, 400);
        assert.ok(error.body.errors.some((e) => e.field === "add_labels[0]"), JSON.stringify(error.body));
        assert.equal((await client.inboxes.drafts.get(inbox.inboxId, draft.draftId)).draftId, draft.draftId, "the draft is still there");
        assert.deepEqual(await allMessages(inbox.inboxId), []);
    });

    test("a scheduled draft can be sent right away and its Message carries no scheduled label", async () => {
        const inbox = await createInbox("send-now");
        const draft = await client.inboxes.drafts.create(inbox.inboxId, { ...content, sendAt: anHourAhead() });

        const sent = await client.inboxes.drafts.send(inbox.inboxId, draft.draftId, {});

        const message = await client.inboxes.messages.get(inbox.inboxId, sent.messageId);
        assert.ok(message.labels.includes("sent"));
        assert.ok(!message.labels.includes("scheduled"), `labels ${JSON.stringify(message.labels)} do not include "scheduled"`);
        await rejection(client.inboxes.drafts.get(inbox.inboxId, draft.draftId), AgentMail.NotFoundError, 404);
    });

    test("sending again with the same idempotency key answers the same message", async () => {
        const inbox = await createInbox("idem");
        const draft = await client.inboxes.drafts.create(inbox.inboxId, content);
        const idempotencyKey = randomUUID();

        const first = await client.inboxes.drafts.send(inbox.inboxId, draft.draftId, {}, { idempotencyKey });
        const again = await client.inboxes.drafts.send(inbox.inboxId, draft.draftId, {}, { idempotencyKey });

        assert.deepEqual(again, first);
        assert.equal((await allMessages(inbox.inboxId)).length, 1, "the retried send did not send a second message");
    });

    test("sending a sent draft again without the key answers the same message and sends nothing more", async () => {
        // A retry after a lost answer must be safe: the agent learns the message it already sent.
        const inbox = await createInbox("resend");
        const draft = await client.inboxes.drafts.create(inbox.inboxId, content);
        const first = await client.inboxes.drafts.send(inbox.inboxId, draft.draftId, {});

        const again = await client.inboxes.drafts.send(inbox.inboxId, draft.draftId, {});
        assert.deepEqual(again, first);
        assert.equal((await allMessages(inbox.inboxId)).length, 1);
    });

    test("a reply draft derives recipients and subject from the original and stays in its thread", async () => {
        const inbox = await createInbox("reply");
        const original = await client.inboxes.drafts.create(inbox.inboxId, { to: ["ana@example.com"], subject: "Meeting on Friday", text: "Does 10:00 work?" });
        const sent = await client.inboxes.drafts.send(inbox.inboxId, original.draftId, {});

        const reply = await client.inboxes.drafts.create(inbox.inboxId, { inReplyTo: sent.messageId, text: "Following up on Friday." });
        assert.equal(reply.inReplyTo, sent.messageId);
        assert.deepEqual(reply.to, ["ana@example.com"], "a reply to our own message goes to its recipients");
        assert.equal(reply.subject, "Re: Meeting on Friday");

        const replySent = await client.inboxes.drafts.send(inbox.inboxId, reply.draftId, {});
        assert.notEqual(replySent.messageId, sent.messageId);
        assert.equal(replySent.threadId, sent.threadId, "the reply joins the original's thread");

        const replyMessage = await client.inboxes.messages.get(inbox.inboxId, replySent.messageId);
        assert.equal(replyMessage.threadId, sent.threadId);
        assert.equal(replyMessage.inReplyTo, sent.messageId);
        assert.equal(replyMessage.subject, "Re: Meeting on Friday");
        assert.deepEqual(replyMessage.to, ["ana@example.com"]);
        const thread = await allMessages(inbox.inboxId);
        assert.deepEqual(thread.map((m) => m.messageId).sort(), [sent.messageId, replySent.messageId].sort());
    });
});
