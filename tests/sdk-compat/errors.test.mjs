import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AgentMail, AgentMailError, allDrafts, anHourAhead, assertBlames, client, createInbox, domain, newClient, rejection, uniqueName } from "./support.mjs";

const unknownDraftId = "00000000-0000-7000-8000-000000000000";

async function draftCount(inboxId) {
    return (await allDrafts(inboxId)).length;
}

describe("errors", () => {
    test("an unknown inbox is NotFoundError for every drafts call", async () => {
        const nobody = `${uniqueName("nobody")}@${domain}`;

        const calls = {
            "inboxes.get": () => client.inboxes.get(nobody),
            "inboxes.drafts.create": () => client.inboxes.drafts.create(nobody, { to: ["a@example.com"] }),
            "inboxes.drafts.list": () => client.inboxes.drafts.list(nobody),
            "inboxes.messages.list": () => client.inboxes.messages.list(nobody),
        };
        // Every call is tried before asserting, so one run reports all the calls that answer wrongly.
        const problems = [];
        for (const [name, call] of Object.entries(calls)) {
            try {
                const error = await rejection(call(), AgentMail.NotFoundError, 404);
                assert.equal(error.body.name, "NotFoundError");
                assert.equal(typeof error.body.message, "string");
            } catch (e) {
                problems.push(`${name}("${nobody}"): ${e.message}`);
            }
        }
        assert.deepEqual(problems, [], problems.join("\n"));
    });

    test("a route this server does not serve is NotFoundError with AgentMail's error body", async () => {
        const error = await rejection(client.domains.get("example.com"), AgentMail.NotFoundError, 404);

        assert.equal(error.body?.name, "NotFoundError");
        assert.equal(typeof error.body.message, "string");
    });

    test("an unknown draft is NotFoundError for get, update, delete and send", async () => {
        const inbox = await createInbox("err-draft");

        await rejection(client.inboxes.drafts.get(inbox.inboxId, unknownDraftId), AgentMail.NotFoundError, 404);
        await rejection(client.inboxes.drafts.update(inbox.inboxId, unknownDraftId, { subject: "x" }), AgentMail.NotFoundError, 404);
        await rejection(client.inboxes.drafts.delete(inbox.inboxId, unknownDraftId), AgentMail.NotFoundError, 404);
        await rejection(client.inboxes.drafts.send(inbox.inboxId, unknownDraftId, {}), AgentMail.NotFoundError, 404);
    });

    test("a draft is not reachable through another inbox", async () => {
        const owner = await createInbox("err-owner");
        const stranger = await createInbox("err-stranger");
        const draft = await client.inboxes.drafts.create(owner.inboxId, { to: ["a@example.com"], subject: "private" });

        await rejection(client.inboxes.drafts.get(stranger.inboxId, draft.draftId), AgentMail.NotFoundError, 404);
        await rejection(client.inboxes.drafts.delete(stranger.inboxId, draft.draftId), AgentMail.NotFoundError, 404);
        assert.equal((await client.inboxes.drafts.get(owner.inboxId, draft.draftId)).subject, "private");
    });

    test("a malformed address in to is a ValidationError naming to", async () => {
        const inbox = await createInbox("err-to");

        const error = await rejection(
            client.inboxes.drafts.create(inbox.inboxId, { to: ["not an address"], subject: "hello" }),
            AgentMail.ValidationError,
            400,
        );

        assertBlames(error, "to");
        assert.equal(await draftCount(inbox.inboxId), 0, "the rejected draft was not created");
    });

    test("CR/LF in the subject is a ValidationError naming subject, on create and on update", async () => {
        const inbox = await createInbox("err-subject");

        const onCreate = await rejection(
            client.inboxes.drafts.create(inbox.inboxId, { to: ["a@example.com"], subject: "Hello\r\nBcc: victim@example.com" }),
            AgentMail.ValidationError,
            400,
        );
        assertBlames(onCreate, "subject");
        assert.equal(await draftCount(inbox.inboxId), 0);

        const draft = await client.inboxes.drafts.create(inbox.inboxId, { to: ["a@example.com"], subject: "clean" });
        const onUpdate = await rejection(
            client.inboxes.drafts.update(inbox.inboxId, draft.draftId, { subject: "dirty\nX-Injected: 1" }),
            AgentMail.ValidationError,
            400,
        );
        assertBlames(onUpdate, "subject");
        assert.equal((await client.inboxes.drafts.get(inbox.inboxId, draft.draftId)).subject, "clean", "a rejected update changes nothing");
    });

    test("send_at in the past is a ValidationError naming send_at, on create and on reschedule", async () => {
        const inbox = await createInbox("err-sendat");
        const past = new Date(Date.now() - 60_000);

        const onCreate = await rejection(
            client.inboxes.drafts.create(inbox.inboxId, { to: ["a@example.com"], subject: "late", sendAt: past }),
            AgentMail.ValidationError,
            400,
        );
        assertBlames(onCreate, "send_at");
        assert.equal(await draftCount(inbox.inboxId), 0);

        const sendAt = anHourAhead();
        const draft = await client.inboxes.drafts.create(inbox.inboxId, { to: ["a@example.com"], subject: "on time", sendAt });
        const onUpdate = await rejection(
            client.inboxes.drafts.update(inbox.inboxId, draft.draftId, { sendAt: past }),
            AgentMail.ValidationError,
            400,
        );
        assertBlames(onUpdate, "send_at");
        const unchanged = await client.inboxes.drafts.get(inbox.inboxId, draft.draftId);
        assert.equal(unchanged.sendAt.getTime(), sendAt.getTime(), "the schedule is kept after a rejected reschedule");
        assert.equal(unchanged.sendStatus, "scheduled");
    });

    test("in_reply_to naming no message of the inbox is a ValidationError naming in_reply_to", async () => {
        const inbox = await createInbox("err-reply");

        const error = await rejection(
            client.inboxes.drafts.create(inbox.inboxId, { inReplyTo: `<${unknownDraftId}@${domain}>`, text: "hello?" }),
            AgentMail.ValidationError,
            400,
        );

        assertBlames(error, "in_reply_to");
        assert.equal(await draftCount(inbox.inboxId), 0);
    });

    test("a wrong API key is 401 with {name, message} and creates nothing", async () => {
        const inbox = await createInbox("err-auth");
        const intruder = newClient(`wrong-${uniqueName("key")}`);

        const onList = await rejection(intruder.inboxes.drafts.list(inbox.inboxId), AgentMailError, 401);
        assert.equal(onList.body?.name, "UnauthorizedError", `body ${JSON.stringify(onList.body)}`);
        assert.equal(typeof onList.body?.message, "string");

        await rejection(intruder.inboxes.drafts.create(inbox.inboxId, { to: ["a@example.com"], subject: "sneaky" }), AgentMailError, 401);
        await rejection(intruder.drafts.list(), AgentMailError, 401);
        const sneaky = uniqueName("sneaky");
        const onInbox = await rejection(intruder.inboxes.create({ username: sneaky, domain }), AgentMailError, 401);
        assert.equal(onInbox.body?.name, "UnauthorizedError");

        assert.equal(await draftCount(inbox.inboxId), 0, "the unauthorised draft create wrote nothing");
        await rejection(client.inboxes.get(`${sneaky}@${domain}`), AgentMail.NotFoundError, 404);
    });
});
