using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Inbound;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Tests.Inbound;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Tests.Events;

/// <summary>Every change leaves its event in the log, committed with the change itself, in order, each with its own id.</summary>
public sealed class EventLogTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private string _inbox = null!;

    private DraftsService Drafts => _store.Get<DraftsService>();

    private DateTime Now => _store.Clock.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        _inbox = (await _store.CreateInboxAsync("sales")).InboxId;
    }

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    private async Task<List<EventRecord>> EventsAsync()
    {
        await using var db = _store.OpenDb();
        return await db.Events.AsNoTracking().OrderBy(e => e.Position).ToListAsync();
    }

    [Fact]
    public async Task A_drafts_life_from_creation_to_sending_is_told_in_order()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["bob@example.com"], Subject = "Offer", Text = "Hi", SendAt = Now.AddHours(1) });
        draft = await Drafts.UpdateAsync(TestActors.Agent, _inbox, draft.DraftId, new DraftPatch { Text = "Hello Bob" });
        draft = await Drafts.ApproveAsync(TestActors.Supervisor, _inbox, draft.DraftId, draft.Version, Now.AddMinutes(1));
        var outcome = await _store.Get<DraftSender>().SendAsync(TestActors.Supervisor, draft.DraftId, draft.Version, "test");
        Assert.Equal(SendResult.Sent, outcome.Result);

        var events = await EventsAsync();
        Assert.Equal(
            [EventTypes.DraftCreated, EventTypes.DraftScheduled, EventTypes.DraftUpdated, EventTypes.DraftApproved, EventTypes.DraftSent, EventTypes.MessageSent],
            events.Select(e => e.EventType));
        Assert.All(events, e => Assert.Equal(_inbox, e.InboxId));
        Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
        Assert.All(events, e => Assert.StartsWith("evt_", e.EventId));

        var updated = EventLog.ReadFacts(events[2]);
        Assert.Equal(["text"], updated.Changed);
        Assert.Equal("Hello Bob", updated.Draft!.Text);
        Assert.Equal("agent", updated.Actor!.Kind);

        var sent = EventLog.ReadFacts(events[5]);
        Assert.Equal(outcome.Message!.MessageId, events[5].MessageId);
        Assert.Equal(["bob@example.com"], sent.Recipients);
        Assert.Equal(outcome.Message.ThreadId, sent.Thread!.ThreadId);
        Assert.Equal(1, sent.Thread.MessageCount);
    }

    [Fact]
    public async Task Received_mail_is_told_with_its_message_and_thread_and_a_cancelled_follow_up_with_why()
    {
        await _store.Get<InboxService>().SetOnReplyAsync(_inbox, OnReplyPolicy.Cancel);
        var first = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["bob@example.com"], Subject = "Offer", Text = "Hi" });
        var message = (await _store.Get<DraftSender>().SendAsync(TestActors.Agent, first.DraftId, first.Version, "test")).Message!;
        var followUp = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { InReplyTo = message.MessageId, Text = "Bumping", SendAt = Now.AddDays(3) });

        var reply = await _store.Get<InboundMailService>().ReceiveAsync(_inbox, InboundMail.Reply(_inbox, message));

        var events = (await EventsAsync()).SkipWhile(e => e.EventType != EventTypes.MessageReceived).ToList();
        Assert.Equal([EventTypes.MessageReceived, EventTypes.DraftDeleted], events.Select(e => e.EventType));
        var received = EventLog.ReadFacts(events[0]);
        Assert.Equal(reply.MessageId, received.Message!.MessageId);
        Assert.Equal("Thanks, that works for me.", received.Message.Text?.Trim());
        Assert.Equal(message.ThreadId, received.Thread!.ThreadId);
        Assert.Equal(2, received.Thread.MessageCount);
        Assert.Equal(followUp.DraftId, events[1].DraftId);
        Assert.Equal(DraftsService.CancelledForReplyReason, EventLog.ReadFacts(events[1]).Reason);
    }

    [Fact]
    public async Task A_supervisor_deleting_a_held_send_rejects_the_message_the_agent_was_promised()
    {
        await _store.Get<InboxService>().SetReviewRequiredAsync(_inbox, true);
        var receipt = await _store.Get<SendService>().SendNewAsync(TestActors.NonSendingAgent, AccessScope.Organisation, _inbox,
            new NewDraft { To = ["bob@example.com"], Subject = "Offer", Text = "Hi" }, "send");

        var held = await _store.OpenDb().Drafts.AsNoTracking().SingleAsync();
        await Drafts.DeleteAsync(TestActors.Supervisor, _inbox, held.DraftId);

        var events = await EventsAsync();
        Assert.Equal([EventTypes.DraftCreated, EventTypes.DraftScheduled, EventTypes.DraftDeleted, EventTypes.MessageRejected], events.Select(e => e.EventType));
        Assert.Equal(receipt.MessageId, events[3].MessageId);
        Assert.Contains("supervisor@example.com", EventLog.ReadFacts(events[3]).Reason);
    }

    [Fact]
    public async Task A_refused_change_leaves_no_event_and_an_accepted_one_commits_with_its_audit_entry()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["bob@example.com"], Text = "Hi" });
        await Assert.ThrowsAsync<ConflictException>(() => Drafts.UpdateAsync(TestActors.Agent, _inbox, draft.DraftId, new DraftPatch { Text = "x", ExpectedVersion = draft.Version + 5 }));
        await Drafts.DeleteAsync(TestActors.Agent, _inbox, draft.DraftId);

        var events = await EventsAsync();
        Assert.Equal([EventTypes.DraftCreated, EventTypes.DraftDeleted], events.Select(e => e.EventType));
        await using var db = _store.OpenDb();
        var audit = await db.AuditEntries.AsNoTracking().Where(a => a.DraftId == draft.DraftId).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal([AuditActions.Created, AuditActions.Deleted], audit.Select(a => a.Action));
        Assert.Equal(audit.Select(a => a.At), events.Select(e => e.OccurredAt));
    }

    [Fact]
    public async Task A_supervisor_sending_a_draft_back_tells_the_agent_why()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["bob@example.com"], Subject = "Offer", Text = "Hi", SendAt = Now.AddHours(1) });

        await Drafts.RequestChangesAsync(TestActors.Supervisor, _inbox, draft.DraftId, draft.Version, "Quote the price from the contract, not the list price.");

        var events = await EventsAsync();
        Assert.Equal([EventTypes.DraftCreated, EventTypes.DraftScheduled, EventTypes.DraftChangesRequested], events.Select(e => e.EventType));
        var facts = EventLog.ReadFacts(events[2]);
        Assert.Equal("Quote the price from the contract, not the list price.", facts.Reason);
        Assert.Equal("Quote the price from the contract, not the list price.", facts.Draft!.ChangesRequested);
        Assert.Null(facts.Draft.SendAt);
        Assert.Equal("person", facts.Actor!.Kind);
    }

    [Fact]
    public async Task A_permanent_refusal_fails_the_draft_and_rejects_the_message()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = "No one to send to", Text = "Hi" });
        var outcome = await _store.Get<DraftSender>().SendAsync(TestActors.Agent, draft.DraftId, draft.Version, "test");
        Assert.Equal(SendResult.Failed, outcome.Result);

        var events = await EventsAsync();
        Assert.Equal([EventTypes.DraftCreated, EventTypes.DraftFailed, EventTypes.MessageRejected], events.Select(e => e.EventType));
        Assert.Equal(outcome.FailureReason, EventLog.ReadFacts(events[1]).Reason);
        Assert.Equal($"<{draft.DraftId}@example.com>", events[2].MessageId);
    }

    [Fact]
    public async Task Commits_that_append_events_wake_the_consumers_after_they_are_durable()
    {
        var woken = _store.Get<EventSignal>().Next;
        Assert.False(woken.IsCompleted);
        await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["bob@example.com"], Text = "Hi" });
        await woken.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Single(await _store.Get<EventLogReader>().ReadAfterAsync(0, 10));
    }
}
