import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AgentMail, client, createInbox, pages, rejection, sorted, uniqueName } from "./support.mjs";

describe("organisation-wide drafts", () => {
    test("drafts.list finds drafts of two different inboxes", async () => {
        const sales = await createInbox("org-sales");
        const support = await createInbox("org-support");
        // A label unique to this run lets the test ask for exactly its own drafts among everyone else's.
        const runLabel = uniqueName("run");
        const a = await client.inboxes.drafts.create(sales.inboxId, { to: ["lead@example.com"], subject: "Quote", labels: [runLabel] });
        const b = await client.inboxes.drafts.create(support.inboxId, { to: ["user@example.com"], subject: "Ticket 7", labels: [runLabel] });

        const filtered = await client.drafts.list({ labels: [runLabel] });
        assert.deepEqual(sorted(filtered.drafts.map((d) => d.draftId)), sorted([a.draftId, b.draftId]));
        assert.equal(filtered.count, 2);
        const byId = Object.fromEntries(filtered.drafts.map((d) => [d.draftId, d]));
        assert.equal(byId[a.draftId].inboxId, sales.inboxId, "each org-wide item says which inbox it belongs to");
        assert.equal(byId[b.draftId].inboxId, support.inboxId);

        const everything = (await pages((pageToken) => client.drafts.list({ limit: 50, pageToken }))).flatMap((p) => p.drafts);
        const ids = everything.map((d) => d.draftId);
        assert.ok(ids.includes(a.draftId) && ids.includes(b.draftId), "unfiltered org-wide paging reaches both drafts");
        assert.equal(new Set(ids).size, ids.length, "no draft appears twice across org-wide pages");
    });

    test("drafts.get answers a draft by id alone", async () => {
        const inbox = await createInbox("org-get");
        const draft = await client.inboxes.drafts.create(inbox.inboxId, { to: ["x@example.com"], subject: "Found by id", text: "body" });

        const fetched = await client.drafts.get(draft.draftId);

        assert.equal(fetched.draftId, draft.draftId);
        assert.equal(fetched.inboxId, inbox.inboxId);
        assert.equal(fetched.subject, "Found by id");
        assert.equal(fetched.text, "body");
        assert.deepEqual(fetched.to, ["x@example.com"]);
    });

    test("drafts.get of an unknown id is NotFoundError", async () => {
        await rejection(client.drafts.get("00000000-0000-7000-8000-000000000000"), AgentMail.NotFoundError, 404);
    });
});
