import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AgentMail, assertDate, client, createInbox, rejection } from "./support.mjs";

// Bytes that are not text (a NUL, 0xFF, a lone CR) so any re-encoding on the way shows.
const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x00, 0xff, 0x0d, 0x80, 0x41]);

async function draftWithAttachment(prefix, extra = {}) {
    const inbox = await createInbox(prefix);
    const draft = await client.inboxes.drafts.create(inbox.inboxId, {
        to: ["ana@example.com"],
        subject: "Invoice 2041",
        attachments: [{ filename: "invoice-2041.pdf", contentType: "application/pdf", contentId: "inv-2041", content: bytes.toString("base64") }],
        ...extra,
    });
    assert.equal(draft.attachments?.length, 1, "the draft lists its attachment");
    return { inbox, draft, attachmentId: draft.attachments[0].attachmentId };
}

/** What an agent does with download_url: a plain GET, no API key. */
async function download(url) {
    const response = await fetch(url);
    return { response, body: Buffer.from(await response.arrayBuffer()) };
}

function assertAttachmentResponse(attachment, attachmentId) {
    assert.equal(attachment.attachmentId, attachmentId);
    assert.equal(attachment.filename, "invoice-2041.pdf");
    assert.equal(attachment.size, bytes.length);
    assert.equal(attachment.contentType, "application/pdf");
    assert.equal(attachment.contentDisposition, "attachment");
    assert.equal(attachment.contentId, "inv-2041");
    assert.equal(typeof attachment.downloadUrl, "string");
    assert.ok(new URL(attachment.downloadUrl).protocol.startsWith("http"), `download_url ${attachment.downloadUrl} is an absolute http(s) URL`);
    assertDate(attachment.expiresAt, "expiresAt");
    assert.ok(attachment.expiresAt.getTime() > Date.now(), "the link has not expired yet");
}

describe("attachments", () => {
    test("inboxes.drafts.getAttachment answers the attachment with a download_url that gives the exact bytes", async () => {
        const { inbox, draft, attachmentId } = await draftWithAttachment("att-draft");

        const attachment = await client.inboxes.drafts.getAttachment(inbox.inboxId, draft.draftId, attachmentId);

        assertAttachmentResponse(attachment, attachmentId);
        const { response, body } = await download(attachment.downloadUrl);
        assert.equal(response.status, 200);
        assert.deepEqual(body, bytes);
        assert.equal(response.headers.get("content-type"), "application/pdf");
    });

    test("drafts.getAttachment finds it organisation-wide", async () => {
        const { draft, attachmentId } = await draftWithAttachment("att-org");

        const attachment = await client.drafts.getAttachment(draft.draftId, attachmentId);

        assertAttachmentResponse(attachment, attachmentId);
        assert.deepEqual((await download(attachment.downloadUrl)).body, bytes);
    });

    test("an altered download_url is refused", async () => {
        const { inbox, draft, attachmentId } = await draftWithAttachment("att-altered");
        const { downloadUrl } = await client.inboxes.drafts.getAttachment(inbox.inboxId, draft.draftId, attachmentId);
        const url = new URL(downloadUrl);
        const token = url.searchParams.get("token");
        assert.ok(token, `download_url ${downloadUrl} carries its token`);
        const middle = Math.floor(token.length / 2);
        url.searchParams.set("token", token.slice(0, middle) + (token[middle] === "A" ? "B" : "A") + token.slice(middle + 1));

        const { response, body } = await download(url);

        assert.equal(response.status, 403);
        assert.equal(JSON.parse(body.toString("utf8")).name, "ForbiddenError");
    });

    test("a sent message's attachment downloads through inboxes.messages.getAttachment", async () => {
        const { inbox, draft, attachmentId } = await draftWithAttachment("att-sent");
        const sent = await client.inboxes.drafts.send(inbox.inboxId, draft.draftId, {});

        const message = await client.inboxes.messages.get(inbox.inboxId, sent.messageId);
        assert.deepEqual(message.attachments?.map((a) => a.attachmentId), [attachmentId], "the message lists the draft's attachment");
        const attachment = await client.inboxes.messages.getAttachment(inbox.inboxId, sent.messageId, attachmentId);

        assertAttachmentResponse(attachment, attachmentId);
        assert.deepEqual((await download(attachment.downloadUrl)).body, bytes);
        await rejection(client.inboxes.drafts.getAttachment(inbox.inboxId, draft.draftId, attachmentId), AgentMail.NotFoundError, 404);
    });

    test("an unknown attachment is NotFoundError", async () => {
        const { inbox, draft } = await draftWithAttachment("att-unknown");

        const error = await rejection(client.inboxes.drafts.getAttachment(inbox.inboxId, draft.draftId, "no-such-attachment"), AgentMail.NotFoundError, 404);
        assert.equal(error.body.name, "NotFoundError");
    });
});
