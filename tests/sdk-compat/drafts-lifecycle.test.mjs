import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AgentMail, allDrafts, anHourAhead, assertDate, client, createInbox, rejection, sorted, uniqueName } from "./support.mjs";

const plain = {
    to: ["Ana Lima <ana@example.com>", "ops@example.org"],
    cc: ["finance@example.org"],
    subject: "Invoice 2041 is ready",
    text: "Hi Ana,\n\nInvoice 2041 is attached.  Payment is due in 30 days.",
    html: "<p>Hi Ana,</p><p>Invoice 2041 is attached. Payment is due in 30 days.</p>",
    labels: ["billing", "agent:invoice-bot"],
};

const words = (s) => (s ?? "").replace(/\s+/g, " ").trim();

describe("draft lifecycle", () => {
    test("a plain draft round-trips every field and is not scheduled", async () => {
        const inbox = await createInbox("plain");
        const draft = await client.inboxes.drafts.create(inbox.inboxId, plain);

        assert.equal(typeof draft.draftId, "string");
        assert.ok(draft.draftId.length > 0);
        assert.equal(draft.inboxId, inbox.inboxId);
        assert.deepEqual(draft.to, plain.to);
        assert.deepEqual(draft.cc, plain.cc);
        assert.equal(draft.subject, plain.subject);
        assert.equal(draft.text, plain.text);
        assert.equal(draft.html, plain.html);
        assert.deepEqual(sorted(draft.labels), sorted(plain.labels));
        assert.equal(draft.sendStatus, undefined, "an unscheduled draft has no send_status");
        assert.equal(draft.sendAt, undefined);
        assertDate(draft.createdAt, "createdAt");
        assertDate(draft.updatedAt, "updatedAt");
        assert.ok(draft.updatedAt.getTime() >= draft.createdAt.getTime());
        assert.equal(typeof draft.preview, "string", "preview is derived from the text");
        assert.ok(draft.preview.length > 0);
        assert.ok(words(plain.text).startsWith(words(draft.preview)), `preview ${JSON.stringify(draft.preview)} is the start of the text`);

        const fetched = await client.inboxes.drafts.get(inbox.inboxId, draft.draftId);
        assert.deepEqual(
            { ...fetched, labels: sorted(fetched.labels) },
            { ...draft, labels: sorted(draft.labels) },
            "get answers what create answered",
        );
    });

    test("a draft with send_at is scheduled, labelled and keeps the time to the millisecond", async () => {
        const inbox = await createInbox("sched");
        const sendAt = anHourAhead();
        const draft = await client.inboxes.drafts.create(inbox.inboxId, { ...plain, sendAt });

        assert.equal(draft.sendStatus, AgentMail.DraftSendStatus.Scheduled);
        assert.ok(draft.labels.includes("scheduled"), `labels ${JSON.stringify(draft.labels)} include "scheduled"`);
        for (const label of plain.labels) {
            assert.ok(draft.labels.includes(label), `the agent's own label ${label} is kept`);
        }
        assertDate(draft.sendAt, "sendAt");
        assert.equal(draft.sendAt.getTime(), sendAt.getTime(), "send_at round-trips to the millisecond");

        const fetched = await client.inboxes.drafts.get(inbox.inboxId, draft.draftId);
        assert.equal(fetched.sendStatus, "scheduled");
        assert.equal(fetched.sendAt.getTime(), sendAt.getTime());
    });

    test("listing with labels [scheduled] answers exactly the inbox's scheduled drafts", async () => {
        const inbox = await createInbox("sched-list");
        const other = await createInbox("sched-other");
        const first = await client.inboxes.drafts.create(inbox.inboxId, { to: ["a@example.com"], subject: "one", sendAt: anHourAhead() });
        const second = await client.inboxes.drafts.create(inbox.inboxId, { to: ["b@example.com"], subject: "two", sendAt: anHourAhead(5) });
        await client.inboxes.drafts.create(inbox.inboxId, { to: ["c@example.com"], subject: "not scheduled" });
        await client.inboxes.drafts.create(other.inboxId, { to: ["d@example.com"], subject: "other inbox", sendAt: anHourAhead() });

        const page = await client.inboxes.drafts.list(inbox.inboxId, { labels: ["scheduled"] });

        assert.deepEqual(sorted(page.drafts.map((d) => d.draftId)), sorted([first.draftId, second.draftId]));
        assert.equal(page.count, 2);
        for (const item of page.drafts) {
            assert.equal(item.inboxId, inbox.inboxId);
            assert.equal(item.sendStatus, "scheduled");
            assertDate(item.sendAt, "listed sendAt");
        }
        assert.equal((await allDrafts(inbox.inboxId)).length, 3, "without the label filter all three drafts are listed");
    });

    test("reschedule moves send_at; unschedule with null removes send_status and the label", async () => {
        const inbox = await createInbox("resched");
        const draft = await client.inboxes.drafts.create(inbox.inboxId, { to: ["a@example.com"], subject: "weekly report", sendAt: anHourAhead() });

        const later = anHourAhead(90);
        const rescheduled = await client.inboxes.drafts.update(inbox.inboxId, draft.draftId, { sendAt: later });
        assert.equal(rescheduled.sendStatus, "scheduled");
        assert.equal(rescheduled.sendAt.getTime(), later.getTime());
        assert.equal(rescheduled.labels.filter((l) => l === "scheduled").length, 1, "rescheduling does not duplicate the label");
        assert.ok(rescheduled.updatedAt.getTime() >= draft.updatedAt.getTime());

        const unscheduled = await client.inboxes.drafts.update(inbox.inboxId, draft.draftId, { sendAt: null });
        assert.equal(unscheduled.sendStatus, undefined);
        assert.equal(unscheduled.sendAt, undefined);
        assert.ok(!unscheduled.labels.includes("scheduled"), `labels ${JSON.stringify(unscheduled.labels)} no longer include "scheduled"`);
        assert.equal(unscheduled.subject, "weekly report");

        const scheduledNow = await client.inboxes.drafts.list(inbox.inboxId, { labels: ["scheduled"] });
        assert.equal(scheduledNow.count, 0);
        assert.deepEqual(scheduledNow.drafts, []);
    });

    test("updating only the subject keeps every other field", async () => {
        const inbox = await createInbox("partial");
        const draft = await client.inboxes.drafts.create(inbox.inboxId, plain);

        const updated = await client.inboxes.drafts.update(inbox.inboxId, draft.draftId, { subject: "Invoice 2041 (corrected)" });

        assert.equal(updated.subject, "Invoice 2041 (corrected)");
        assert.deepEqual(updated.to, plain.to);
        assert.deepEqual(updated.cc, plain.cc);
        assert.equal(updated.text, plain.text);
        assert.equal(updated.html, plain.html);
        assert.deepEqual(sorted(updated.labels), sorted(plain.labels));
        assert.equal(updated.draftId, draft.draftId);
        assert.equal(updated.createdAt.getTime(), draft.createdAt.getTime());
        assert.ok(updated.updatedAt.getTime() >= draft.updatedAt.getTime());

        const fetched = await client.inboxes.drafts.get(inbox.inboxId, draft.draftId);
        assert.equal(fetched.subject, "Invoice 2041 (corrected)");
        assert.equal(fetched.text, plain.text);
    });

    test("add_labels and remove_labels edit the label set", async () => {
        const inbox = await createInbox("labels");
        const draft = await client.inboxes.drafts.create(inbox.inboxId, { to: ["a@example.com"], labels: ["keep", "drop"] });

        const updated = await client.inboxes.drafts.update(inbox.inboxId, draft.draftId, { addLabels: ["urgent"], removeLabels: ["drop"] });

        assert.deepEqual(sorted(updated.labels), ["keep", "urgent"]);
        const filtered = await client.inboxes.drafts.list(inbox.inboxId, { labels: ["urgent"] });
        assert.deepEqual(filtered.drafts.map((d) => d.draftId), [draft.draftId]);
        const dropped = await client.inboxes.drafts.list(inbox.inboxId, { labels: ["drop"] });
        assert.equal(dropped.count, 0);
    });

    test("cc: null clears cc and leaves to alone", async () => {
        const inbox = await createInbox("clear-cc");
        const draft = await client.inboxes.drafts.create(inbox.inboxId, plain);

        const updated = await client.inboxes.drafts.update(inbox.inboxId, draft.draftId, { cc: null });

        assert.deepEqual(updated.cc ?? [], [], `cc is cleared, got ${JSON.stringify(updated.cc)}`);
        assert.deepEqual(updated.to, plain.to);
        const fetched = await client.inboxes.drafts.get(inbox.inboxId, draft.draftId);
        assert.deepEqual(fetched.cc ?? [], []);
    });

    test("creating twice with one client_id answers the same draft, so an agent can retry a create safely", async () => {
        const inbox = await createInbox("client-id");
        const clientId = uniqueName("invoice-2041");

        const first = await client.inboxes.drafts.create(inbox.inboxId, { ...plain, clientId });
        const retried = await client.inboxes.drafts.create(inbox.inboxId, { ...plain, clientId });

        assert.equal(first.clientId, clientId);
        assert.equal(retried.draftId, first.draftId);
        assert.deepEqual((await allDrafts(inbox.inboxId)).map((d) => d.draftId), [first.draftId]);
    });

    test("a deleted draft is gone from get and list", async () => {
        const inbox = await createInbox("delete");
        const kept = await client.inboxes.drafts.create(inbox.inboxId, { to: ["a@example.com"], subject: "keep me" });
        const doomed = await client.inboxes.drafts.create(inbox.inboxId, { to: ["b@example.com"], subject: "delete me", sendAt: anHourAhead() });

        const answer = await client.inboxes.drafts.delete(inbox.inboxId, doomed.draftId);
        assert.equal(answer, undefined, "delete answers no body");

        await rejection(client.inboxes.drafts.get(inbox.inboxId, doomed.draftId), AgentMail.NotFoundError, 404);
        assert.deepEqual((await allDrafts(inbox.inboxId)).map((d) => d.draftId), [kept.draftId]);
        await rejection(client.inboxes.drafts.delete(inbox.inboxId, doomed.draftId), AgentMail.NotFoundError, 404);
    });
});
