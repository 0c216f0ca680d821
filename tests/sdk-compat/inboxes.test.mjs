import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AgentMailError, allInboxes, assertDate, client, createInbox, domain, rejection, uniqueName } from "./support.mjs";

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
});
