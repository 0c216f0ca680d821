import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { client, createInbox, pages } from "./support.mjs";

const total = 23;
const pageSize = 5;

function assertNewestFirst(items) {
    for (let i = 1; i < items.length; i++) {
        assert.ok(
            items[i - 1].updatedAt.getTime() >= items[i].updatedAt.getTime(),
            `item ${i} (${items[i].updatedAt.toISOString()}) is newer than item ${i - 1} (${items[i - 1].updatedAt.toISOString()})`,
        );
    }
}

describe("draft paging", () => {
    let inbox;
    let created;

    before(async () => {
        inbox = await createInbox("paging");
        created = [];
        // One at a time, so updated_at follows creation order (ties within a millisecond are allowed).
        for (let i = 1; i <= total; i++) {
            created.push(await client.inboxes.drafts.create(inbox.inboxId, { to: [`r${i}@example.com`], subject: `Draft ${String(i).padStart(2, "0")}` }));
        }
    });

    const list = (request) => pages((pageToken) => client.inboxes.drafts.list(inbox.inboxId, { limit: pageSize, ...request, pageToken }));

    test("limit 5 following next_page_token yields every draft exactly once, newest first", async () => {
        const answered = await list({});

        assert.deepEqual(answered.map((p) => p.drafts.length), [5, 5, 5, 5, 3]);
        for (const page of answered) {
            assert.equal(page.count, page.drafts.length, "count is the number of drafts in this page");
            assert.equal(page.limit, pageSize);
        }
        for (const page of answered.slice(0, -1)) {
            assert.equal(typeof page.nextPageToken, "string");
        }
        assert.equal(answered.at(-1).nextPageToken, undefined, "the last page has no next_page_token");

        const items = answered.flatMap((p) => p.drafts);
        const ids = items.map((d) => d.draftId);
        assert.equal(new Set(ids).size, ids.length, "no draft appears twice");
        assert.deepEqual([...ids].sort(), created.map((d) => d.draftId).sort(), "every draft appears");
        assertNewestFirst(items);
        assert.equal(items[0].updatedAt.getTime(), created.at(-1).updatedAt.getTime(), "the most recently created draft comes first");
    });

    test("ascending: true answers the same drafts in reverse order", async () => {
        const descending = (await list({})).flatMap((p) => p.drafts.map((d) => d.draftId));
        const ascendingPages = await list({ ascending: true });
        const ascendingItems = ascendingPages.flatMap((p) => p.drafts);
        const ascending = ascendingItems.map((d) => d.draftId);

        assert.deepEqual(ascendingPages.map((p) => p.drafts.length), [5, 5, 5, 5, 3]);
        assert.deepEqual(ascending, [...descending].reverse());
        assert.equal(ascendingItems[0].updatedAt.getTime(), created[0].updatedAt.getTime(), "the oldest draft comes first");
    });

    test("editing a draft moves it to the front, because lists are ordered by updated_at", async () => {
        const middle = created[10];
        // updated_at has millisecond precision; a short pause guarantees the edit is strictly newer than every create.
        await new Promise((resolve) => setTimeout(resolve, 20));
        const edited = await client.inboxes.drafts.update(inbox.inboxId, middle.draftId, { subject: "Draft 11 (edited)" });

        const first = await client.inboxes.drafts.list(inbox.inboxId, { limit: pageSize });
        assert.equal(first.drafts[0].draftId, middle.draftId);
        assert.equal(first.drafts[0].subject, "Draft 11 (edited)");
        assert.equal(first.drafts[0].updatedAt.getTime(), edited.updatedAt.getTime());

        const items = (await list({})).flatMap((p) => p.drafts);
        assert.equal(items.length, total, "an edit during paging neither adds nor loses drafts");
        assertNewestFirst(items);
    });
});
