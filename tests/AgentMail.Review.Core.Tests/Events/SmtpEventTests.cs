using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Tests.Delivery;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Tests.Events;

/// <summary>What a real SMTP server's answer becomes in the event log: delivered when it accepts, rejected when it refuses for good.</summary>
public sealed class SmtpEventTests
{
    private static async Task<List<EventRecord>> EventsAsync(TestStore store, string draftId)
    {
        await using var db = store.OpenDb();
        return await db.Events.AsNoTracking().Where(e => e.DraftId == draftId).OrderBy(e => e.Position).ToListAsync();
    }

    [Fact]
    public async Task A_message_the_server_accepts_is_sent_and_delivered_to_its_recipients()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var store = await TestStore.CreateAsync(SmtpSettings.For(sink.Port));
        var inbox = await store.CreateInboxAsync("agent", "example.com");
        var draft = await store.Get<DraftsService>().CreateAsync(TestActors.Agent, inbox.InboxId, new NewDraft { To = ["carol@example.net"], Cc = ["dave@example.net"], Subject = "Hi", Text = "Hello" });

        var outcome = await store.Get<DraftSender>().SendAsync(TestActors.Agent, draft.DraftId, draft.Version, "test");

        Assert.Equal(SendResult.Sent, outcome.Result);
        var events = await EventsAsync(store, draft.DraftId);
        Assert.Equal([EventTypes.DraftCreated, EventTypes.DraftSent, EventTypes.MessageSent, EventTypes.MessageDelivered], events.Select(e => e.EventType));
        Assert.Equal(["carol@example.net", "dave@example.net"], EventLog.ReadFacts(events[3]).Recipients);
        Assert.Equal(outcome.Message!.MessageId, events[3].MessageId);
    }

    [Fact]
    public async Task A_message_the_server_refuses_for_good_fails_its_draft_and_bounces_with_the_servers_reason()
    {
        await using var sink = await SmtpSink.StartAsync("--reject-data", "554");
        await using var store = await TestStore.CreateAsync(SmtpSettings.For(sink.Port));
        var inbox = await store.CreateInboxAsync("agent", "example.com");
        var draft = await store.Get<DraftsService>().CreateAsync(TestActors.Agent, inbox.InboxId, new NewDraft { To = ["carol@example.net"], Subject = "Hi", Text = "Hello" });

        var outcome = await store.Get<DraftSender>().SendAsync(TestActors.Agent, draft.DraftId, draft.Version, "test");

        Assert.Equal(SendResult.Failed, outcome.Result);
        var events = await EventsAsync(store, draft.DraftId);
        Assert.Equal([EventTypes.DraftCreated, EventTypes.DraftFailed, EventTypes.MessageBounced], events.Select(e => e.EventType));
        var bounce = EventLog.ReadFacts(events[2]);
        Assert.Contains("554", bounce.Reason);
        Assert.Equal(["carol@example.net"], bounce.Recipients);
        Assert.Equal($"<{draft.DraftId}@example.com>", events[2].MessageId);
    }

    [Fact]
    public async Task A_recipient_the_server_refuses_bounces_the_message()
    {
        await using var sink = await SmtpSink.StartAsync("--reject-rcpt", "gone@example.net");
        await using var store = await TestStore.CreateAsync(SmtpSettings.For(sink.Port));
        var inbox = await store.CreateInboxAsync("agent", "example.com");
        var draft = await store.Get<DraftsService>().CreateAsync(TestActors.Agent, inbox.InboxId, new NewDraft { To = ["gone@example.net"], Subject = "Hi", Text = "Hello" });

        var outcome = await store.Get<DraftSender>().SendAsync(TestActors.Agent, draft.DraftId, draft.Version, "test");

        Assert.Equal(SendResult.Failed, outcome.Result);
        var events = await EventsAsync(store, draft.DraftId);
        Assert.Equal([EventTypes.DraftCreated, EventTypes.DraftFailed, EventTypes.MessageBounced], events.Select(e => e.EventType));
        Assert.Contains("gone@example.net", EventLog.ReadFacts(events[2]).Reason);
    }
}
