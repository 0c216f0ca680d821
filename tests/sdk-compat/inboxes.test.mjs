import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AgentMail, AgentMailError, allInboxes, anHourAhead, assertDate, client, createInbox, domain, rejection, uniqueName } from "./support.mjs";

describe("inboxes", () => {
    test("create with username and domain answers the inbox addressed by them", async () => {
        const username = uniqueName("inbox");
        const inbox = await client.inboxes.create({ username, domain, displayName: "Billing agent" });

        assert.equal(inbox.inboxId, `${username}@${domain}`);
        assert.equal(inbox.email, inbox.inboxId, "email is the inbox address, which is also its id");
        assert.equal(inbox.displayName, "Billing agent");
        assertDate(inbox.createdAt, "createdAt");
        assertDate(inbox.updatedAt, "updatedAt");
        assert.ok(Math.abs(inbox.createdAt.getTime() - Date.now()) < 5 * 60_000, "createdAt is about now");
    });

    test("get by address answers the same inbox", async () => {
        const created = await createInbox("get");
        const fetched = await client.inboxes.get(created.inboxId);

        assert.equal(fetched.inboxId, created.inboxId);
        assert.equal(fetched.email, created.email);
        assert.equal(fetched.createdAt.getTime(), created.createdAt.getTime());
        assert.equal(fetched.updatedAt.getTime(), created.updatedAt.getTime());
    });

    test("list contains a new inbox exactly once", async () => {
        const created = await createInbox("list");
        const listed = (await allInboxes()).filter((i) => i.inboxId === created.inboxId);

        assert.equal(listed.length, 1, "the new inbox appears exactly once across all pages");
        assertDate(listed[0].createdAt, "listed createdAt");
    });

    test("list answers count equal to the page size and honours limit", async () => {
        await createInbox("limit-a");
        await createInbox("limit-b");
        const page = await client.inboxes.list({ limit: 1 });

        assert.equal(page.inboxes.length, 1);
        assert.equal(page.count, page.inboxes.length, "count is the number of items in this page");
        assert.equal(page.limit, 1);
        assert.equal(typeof page.nextPageToken, "string", "more inboxes exist, so there is a next page");
    });

    test("creating an address that already exists is a 409 and adds nothing", async () => {
        const created = await createInbox("dup");
        const username = created.inboxId.split("@")[0];

        const error = await rejection(client.inboxes.create({ username, domain }), AgentMailError, 409);
        assert.equal(error.body?.name, "ConflictError");
        const listed = (await allInboxes()).filter((i) => i.inboxId === created.inboxId);
        assert.equal(listed.length, 1);
    });

    test("create with no arguments makes an inbox with a generated username", async () => {
        const inbox = await client.inboxes.create();

        const [username, inboxDomain] = inbox.inboxId.split("@");
        assert.ok(username.length > 0 && inboxDomain.length > 0, `inbox id ${inbox.inboxId} is an address`);
        assert.equal(inbox.email, inbox.inboxId);
        assertDate(inbox.createdAt, "createdAt");
        assert.equal((await client.inboxes.get(inbox.inboxId)).inboxId, inbox.inboxId);
        const another = await client.inboxes.create({});
        assert.notEqual(another.inboxId, inbox.inboxId, "each generated username is new");
    });

    test("update changes the display name and merges metadata", async () => {
        const created = await client.inboxes.create({ username: uniqueName("upd"), domain, metadata: { team: "billing", seats: 2 } });
        assert.deepEqual(created.metadata, { team: "billing", seats: 2 });

        const renamed = await client.inboxes.update(created.inboxId, { displayName: "Billing agent" });
        assert.equal(renamed.displayName, "Billing agent");
        assert.deepEqual(renamed.metadata, { team: "billing", seats: 2 }, "metadata left out stays");

        const merged = await client.inboxes.update(created.inboxId, { metadata: { seats: null, region: "emea", vip: true } });
        assert.deepEqual(merged.metadata, { team: "billing", region: "emea", vip: true });
        assert.equal(merged.displayName, "Billing agent");
        assert.ok(merged.updatedAt.getTime() >= created.updatedAt.getTime());

        const fetched = await client.inboxes.get(created.inboxId);
        assert.deepEqual(fetched.metadata, merged.metadata);
        assert.equal(fetched.displayName, "Billing agent");
    });

    test("a bad update is a ValidationError and an unknown inbox NotFoundError", async () => {
        const inbox = await createInbox("upd-bad");

        const error = await rejection(client.inboxes.update(inbox.inboxId, {}), AgentMail.ValidationError, 400);
        assert.equal(error.body.name, "ValidationError");
        await rejection(client.inboxes.update(`${uniqueName("nobody")}@${domain}`, { displayName: "x" }), AgentMail.NotFoundError, 404);
    });

    test("delete removes the inbox and its drafts", async () => {
        const inbox = await createInbox("del");
        const draft = await client.inboxes.drafts.create(inbox.inboxId, { to: ["a@example.com"], subject: "goes too" });

        await client.inboxes.delete(inbox.inboxId);

        await rejection(client.inboxes.get(inbox.inboxId), AgentMail.NotFoundError, 404);
        await rejection(client.drafts.get(draft.draftId), AgentMail.NotFoundError, 404);
        assert.equal((await allInboxes()).filter((i) => i.inboxId === inbox.inboxId).length, 0);
        await rejection(client.inboxes.delete(inbox.inboxId), AgentMail.NotFoundError, 404);
    });

    test("delete is refused with 409 naming a scheduled draft, and the inbox stays", async () => {
        const inbox = await createInbox("del-busy");
        const draft = await client.inboxes.drafts.create(inbox.inboxId, { to: ["a@example.com"], subject: "later", sendAt: anHourAhead() });

        const error = await rejection(client.inboxes.delete(inbox.inboxId), AgentMailError, 409);
        assert.equal(error.body?.name, "ConflictError");
        assert.ok(error.body.message.includes(draft.draftId), `the refusal names draft ${draft.draftId}: ${error.body.message}`);
        assert.equal((await client.inboxes.drafts.get(inbox.inboxId, draft.draftId)).draftId, draft.draftId);

        await client.inboxes.drafts.update(inbox.inboxId, draft.draftId, { sendAt: null });
        await client.inboxes.delete(inbox.inboxId);
        await rejection(client.inboxes.get(inbox.inboxId), AgentMail.NotFoundError, 404);
    });
});
