using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Inbound;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Tests.Inbound;

/// <summary>A reply in a thread holds, cancels or leaves the follow-ups scheduled in it, as the inbox says.</summary>
public sealed class FollowUpsOnReplyTests : IAsyncLifetime
{
    private readonly List<DraftChange> _changes = [];
    private TestStore _store = null!;
    private string _inbox = null!;
    private IDisposable _subscription = null!;

    private DraftsService Drafts => _store.Get<DraftsService>();

    private InboundMailService Inbound => _store.Get<InboundMailService>();

    private DateTime Now => _store.Clock.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        _inbox = (await _store.CreateInboxAsync("sales")).InboxId;
        _subscription = _store.Get<DraftChangeFeed>().Subscribe(change =>
        {
            lock (_changes)
            {
                _changes.Add(change);
            }
        });
    }

    public async Task DisposeAsync()
    {
        _subscription.Dispose();
        await _store.DisposeAsync();
    }

    private async Task<Message> SendFirstAsync()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["bob@example.com"], Subject = "Our offer", Text = "Here it is." });
        var outcome = await _store.Get<DraftSender>().SendAsync(TestActors.Agent, draft.DraftId, draft.Version, "test");
        return outcome.Message!;
    }

    /// <summary>The seed's follow-up: a reply to the first message, scheduled a few days out.</summary>
    private Task<Draft> ScheduleFollowUpAsync(Message first, IReadOnlyList<NewAttachment>? attachments = null) =>
        Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft
        {
            InReplyTo = first.MessageId,
            Text = "Just bumping this.",
            SendAt = Now + TimeSpan.FromDays(3),
            Attachments = attachments ?? [],
        });

    private async Task<Draft?> FindAsync(string draftId)
    {
        await using var db = _store.OpenDb();
        return await db.Drafts.AsNoTracking().FirstOrDefaultAsync(d => d.DraftId == draftId);
    }

    private async Task<List<AuditEntry>> AuditAsync(string draftId) => [.. await _store.Get<AuditTrail>().ForDraftAsync(draftId)];

    private List<DraftChange> ChangesFor(string draftId)
    {
        lock (_changes)
        {
            return _changes.Where(c => c.DraftId == draftId).ToList();
        }
    }

    [Fact]
    public async Task By_default_a_reply_holds_the_follow_up_for_a_person_saying_why_and_its_old_schedule_sends_nothing()
    {
        var first = await SendFirstAsync();
        var followUp = await ScheduleFollowUpAsync(first);
        var elsewhere = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["carol@example.com"], Subject = "another thread", SendAt = Now + TimeSpan.FromDays(1) });
        Assert.Equal(OnReplyPolicy.Hold, (await _store.Get<InboxService>().GetAsync(Common.AccessScope.Organisation, _inbox)).OnReply);
        _store.Clock.Advance(TimeSpan.FromHours(2));

        var reply = await Inbound.ReceiveAsync(_inbox, InboundMail.Reply(_inbox, first));

        var held = await FindAsync(followUp.DraftId);
        Assert.NotNull(held);
        Assert.Equal(DraftState.Pending, held.State);
        Assert.Null(held.SendAt);
        Assert.DoesNotContain(Draft.ScheduledLabel, held.Labels);
        Assert.Equal(followUp.Version + 1, held.Version);
        Assert.Equal(DraftsService.HeldForReplyReason("bob@example.com", Now), held.HeldReason);
        Assert.StartsWith("a reply from bob@example.com arrived at ", held.HeldReason);
        Assert.EndsWith("; held for a person", held.HeldReason);
        var audit = (await AuditAsync(followUp.DraftId)).Last();
        Assert.Equal(AuditActions.HeldForReply, audit.Action);
        Assert.Equal("system", audit.ActorKind);
        Assert.Contains(reply.MessageId.Trim('<', '>'), audit.Details);
        var change = Assert.Single(ChangesFor(followUp.DraftId), c => c.Version == held.Version);
        Assert.Equal(DraftChangeKind.Updated, change.Kind);
        Assert.Equal(DraftState.Pending, change.State);

        // The job made for the old schedule finds the draft changed and does nothing, even once its time has come.
        _store.Clock.Advance(TimeSpan.FromDays(3));
        var late = await _store.Get<SendService>().SendDueAsync(followUp.DraftId, followUp.Version);
        Assert.Equal(SendResult.NotClaimed, late.Result);
        await using var db = _store.OpenDb();
        Assert.False(await db.Messages.AnyAsync(m => m.DraftId == followUp.DraftId));

        // A draft in another thread is not the recipient's business.
        var other = await FindAsync(elsewhere.DraftId);
        Assert.Equal(DraftState.Scheduled, other!.State);
        Assert.Equal(elsewhere.Version, other.Version);
    }

    [Fact]
    public async Task A_held_follow_up_scheduled_again_by_a_person_no_longer_says_it_is_held()
    {
        var first = await SendFirstAsync();
        var followUp = await ScheduleFollowUpAsync(first);
        await Inbound.ReceiveAsync(_inbox, InboundMail.Reply(_inbox, first));
        var held = (await FindAsync(followUp.DraftId))!;

        var rescheduled = await Drafts.UpdateAsync(TestActors.Supervisor, _inbox, followUp.DraftId, new DraftPatch { SendAt = Now + TimeSpan.FromDays(1), ExpectedVersion = held.Version });

        Assert.Equal(DraftState.Scheduled, rescheduled.State);
        Assert.Null(rescheduled.HeldReason);
    }

    [Fact]
    public async Task With_Cancel_a_reply_deletes_the_follow_up_and_its_attachments_with_the_reason_in_its_audit_trail()
    {
        await _store.Get<InboxService>().SetOnReplyAsync(_inbox, OnReplyPolicy.Cancel);
        var first = await SendFirstAsync();
        var followUp = await ScheduleFollowUpAsync(first, [new NewAttachment("price-list.txt", "text/plain", null, null, "prices"u8.ToArray())]);
        var attachmentId = Assert.Single(followUp.Attachments).AttachmentId;

        await Inbound.ReceiveAsync(_inbox, InboundMail.Reply(_inbox, first));

        Assert.Null(await FindAsync(followUp.DraftId));
        await using var db = _store.OpenDb();
        Assert.False(await db.AttachmentContents.AnyAsync(c => c.AttachmentId == attachmentId));
        var audit = (await AuditAsync(followUp.DraftId)).Last();
        Assert.Equal(AuditActions.Deleted, audit.Action);
        Assert.Contains(DraftsService.CancelledForReplyReason, audit.Details);
        Assert.Contains(ChangesFor(followUp.DraftId), c => c.Kind == DraftChangeKind.Deleted);
        Assert.Equal(2, await db.Messages.CountAsync(m => m.ThreadId == first.ThreadId));
    }

    [Fact]
    public async Task With_None_a_reply_leaves_the_follow_up_scheduled()
    {
        await _store.Get<InboxService>().SetOnReplyAsync(_inbox, OnReplyPolicy.None);
        var first = await SendFirstAsync();
        var followUp = await ScheduleFollowUpAsync(first);

        var reply = await Inbound.ReceiveAsync(_inbox, InboundMail.Reply(_inbox, first));

        var left = await FindAsync(followUp.DraftId);
        Assert.Equal(first.ThreadId, reply.ThreadId);
        Assert.Equal(DraftState.Scheduled, left!.State);
        Assert.Equal(followUp.SendAt, left.SendAt);
        Assert.Equal(followUp.Version, left.Version);
        Assert.Null(left.HeldReason);
        Assert.DoesNotContain(ChangesFor(followUp.DraftId), c => c.Version > followUp.Version);
    }

    [Fact]
    public async Task A_follow_up_already_being_sent_is_left_alone()
    {
        var first = await SendFirstAsync();
        var followUp = await ScheduleFollowUpAsync(first);
        var claimed = await Drafts.ClaimForSendingAsync(TestActors.Agent, followUp.DraftId, followUp.Version, "test");
        Assert.NotNull(claimed);

        await Inbound.ReceiveAsync(_inbox, InboundMail.Reply(_inbox, first));

        var sending = await FindAsync(followUp.DraftId);
        Assert.Equal(DraftState.Sending, sending!.State);
        Assert.Equal(claimed.Version, sending.Version);
        Assert.Null(sending.HeldReason);
        Assert.DoesNotContain(await AuditAsync(followUp.DraftId), a => a.Action == AuditActions.HeldForReply);
    }

    [Fact]
    public async Task A_reply_that_starts_a_new_thread_touches_no_follow_up()
    {
        var first = await SendFirstAsync();
        var followUp = await ScheduleFollowUpAsync(first);

        await Inbound.ReceiveAsync(_inbox, InboundMail.Reply(_inbox));

        var left = await FindAsync(followUp.DraftId);
        Assert.Equal(DraftState.Scheduled, left!.State);
        Assert.Equal(followUp.Version, left.Version);
    }
}
