using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Scheduling;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Tests.Scheduling;

/// <summary>In a review-required inbox nothing leaves by the clock or an agent's word alone: a supervisor approves.</summary>
public sealed class ReviewRequiredTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private string _reviewed = null!;
    private string _open = null!;

    private DraftsService Drafts => _store.Get<DraftsService>();

    private SendDraftJob Job => _store.Get<SendDraftJob>();

    private DateTime Now => _store.Clock.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        _reviewed = (await _store.CreateInboxAsync("reviewed")).InboxId;
        _open = (await _store.CreateInboxAsync("open")).InboxId;
        await _store.Get<InboxService>().SetReviewRequiredAsync(_reviewed, true);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private Task<Draft> ScheduleAsync(string inbox, TimeSpan ahead) =>
        Drafts.CreateAsync(TestActors.Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "scheduled by an agent", Text = "hello", SendAt = Now + ahead });

    private async Task<int> MessagesFor(string draftId)
    {
        await using var db = _store.OpenDb();
        return await db.Messages.CountAsync(m => m.DraftId == draftId);
    }

    private async Task<Draft?> Find(string draftId)
    {
        await using var db = _store.OpenDb();
        return await db.Drafts.AsNoTracking().FirstOrDefaultAsync(d => d.DraftId == draftId);
    }

    private async Task<List<string>> DueAwaitingApproval()
    {
        await using var db = _store.OpenDb();
        return await db.Drafts.AsNoTracking().DueAwaitingApproval(db, Now).Select(d => d.DraftId).ToListAsync();
    }

    [Fact]
    public async Task A_due_scheduled_draft_in_a_review_required_inbox_is_not_sent_and_shows_as_awaiting_approval()
    {
        var held = await ScheduleAsync(_reviewed, TimeSpan.FromMinutes(5));
        var free = await ScheduleAsync(_open, TimeSpan.FromMinutes(5));
        _store.Clock.Advance(TimeSpan.FromMinutes(5));

        await Job.SendScheduledAsync(held.DraftId, held.Version);
        await Job.SendScheduledAsync(free.DraftId, free.Version);

        Assert.Equal(0, await MessagesFor(held.DraftId));
        Assert.Equal(DraftState.Scheduled, (await Find(held.DraftId))!.State);
        Assert.Equal(1, await MessagesFor(free.DraftId));
        Assert.Equal([held.DraftId], await DueAwaitingApproval());
    }

    [Fact]
    public async Task The_due_sweep_leaves_held_drafts_alone_instead_of_retrying_them_forever()
    {
        var held = await ScheduleAsync(_reviewed, TimeSpan.FromMinutes(5));
        var free = await ScheduleAsync(_open, TimeSpan.FromMinutes(5));
        _store.Clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(1, await _store.Get<DueSweepJob>().RunAsync());
        Assert.Equal(1, await _store.Get<DueSweepJob>().RunAsync());
        Assert.Equal(DraftState.Scheduled, (await Find(held.DraftId))!.State);
        Assert.Equal(DraftState.Scheduled, (await Find(free.DraftId))!.State);
    }

    [Fact]
    public async Task An_agents_send_from_a_review_required_inbox_is_held_and_leaves_with_its_message_id_once_approved()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _reviewed, new NewDraft { To = ["bob@example.com"], Text = "hi" });
        var sending = _store.Get<SendService>();

        var receipt = await sending.RequestAsync(new SendRequest(TestActors.Agent, AccessScope.Organisation, _reviewed, draft.DraftId));
        var again = await sending.RequestAsync(new SendRequest(TestActors.Agent, AccessScope.Organisation, _reviewed, draft.DraftId));

        Assert.Equal(SendReceiptStatus.Held, receipt.Status);
        Assert.Equal(receipt, again);
        Assert.Equal(0, await MessagesFor(draft.DraftId));
        var held = (await Find(draft.DraftId))!;
        Assert.Equal(TestActors.Agent.DisplayName, held.SendRequestedBy);
        Assert.Equal([draft.DraftId], await DueAwaitingApproval());

        var approved = await sending.ApproveAsync(TestActors.Supervisor, _reviewed, draft.DraftId, held.Version, TimeSpan.Zero);
        await Job.SendScheduledAsync(approved.DraftId, approved.Version);

        await using var db = _store.OpenDb();
        var message = await db.Messages.SingleAsync(m => m.DraftId == draft.DraftId);
        Assert.Equal(receipt.MessageId, message.MessageId);
        Assert.Equal(TestActors.Supervisor.DisplayName, message.SentBy);
    }

    [Fact]
    public async Task A_key_that_may_not_send_can_schedule_but_nothing_leaves_without_approval_even_where_review_is_off()
    {
        var scheduled = await Drafts.CreateAsync(TestActors.NonSendingAgent, _open, new NewDraft { To = ["bob@example.com"], Text = "hi", SendAt = Now.AddSeconds(5) });
        var patched = await Drafts.CreateAsync(TestActors.Agent, _open, new NewDraft { To = ["bob@example.com"], Text = "hi" });
        patched = await Drafts.UpdateAsync(TestActors.NonSendingAgent, _open, patched.DraftId, new DraftPatch { SendAt = new Optional<DateTime?>(true, Now.AddSeconds(5)) });
        var asked = await Drafts.CreateAsync(TestActors.NonSendingAgent, _open, new NewDraft { To = ["bob@example.com"], Text = "hi" });
        var receipt = await _store.Get<SendService>().RequestAsync(new SendRequest(TestActors.NonSendingAgent, AccessScope.Organisation, _open, asked.DraftId));
        _store.Clock.Advance(TimeSpan.FromMinutes(1));

        await Job.SendScheduledAsync(scheduled.DraftId, scheduled.Version);
        await Job.SendScheduledAsync(patched.DraftId, patched.Version);
        await _store.Get<DueSweepJob>().RunAsync();

        Assert.Equal(SendReceiptStatus.Held, receipt.Status);
        Assert.Equal(0, await MessagesFor(scheduled.DraftId));
        Assert.Equal(0, await MessagesFor(patched.DraftId));
        Assert.Equal(0, await MessagesFor(asked.DraftId));
        Assert.Equal(3, (await DueAwaitingApproval()).Count);
    }

    [Fact]
    public async Task A_supervisors_approval_lets_the_scheduled_send_go_out_even_after_its_time()
    {
        var held = await ScheduleAsync(_reviewed, TimeSpan.FromMinutes(5));
        _store.Clock.Advance(TimeSpan.FromMinutes(7));
        await Job.SendScheduledAsync(held.DraftId, held.Version);
        Assert.Equal(0, await MessagesFor(held.DraftId));

        var approved = await Drafts.ApproveAsync(TestActors.Supervisor, _reviewed, held.DraftId, held.Version, Now);
        Assert.Equal(TestActors.Supervisor.DisplayName, approved.ApprovedBy);
        Assert.Empty(await DueAwaitingApproval());

        await Job.SendScheduledAsync(approved.DraftId, approved.Version);
        Assert.Equal(1, await MessagesFor(held.DraftId));
    }

    [Fact]
    public async Task An_approved_draft_whose_time_has_passed_is_picked_up_by_the_due_sweep()
    {
        var held = await ScheduleAsync(_reviewed, TimeSpan.FromMinutes(5));
        _store.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, await _store.Get<DueSweepJob>().RunAsync());

        await Drafts.ApproveAsync(TestActors.Supervisor, _reviewed, held.DraftId, held.Version, Now - TimeSpan.FromMinutes(5));
        _store.Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, await _store.Get<DueSweepJob>().RunAsync());
    }

    [Fact]
    public async Task Editing_the_content_after_approval_withdraws_it_but_labels_do_not()
    {
        var held = await ScheduleAsync(_reviewed, TimeSpan.FromMinutes(5));
        var approved = await Drafts.ApproveAsync(TestActors.Supervisor, _reviewed, held.DraftId, held.Version, Now + TimeSpan.FromMinutes(5));

        var labelled = await Drafts.UpdateAsync(TestActors.Agent, _reviewed, held.DraftId, new DraftPatch { AddLabels = ["crm"] });
        Assert.NotNull(labelled.ApprovedAt);

        var edited = await Drafts.UpdateAsync(TestActors.Agent, _reviewed, held.DraftId, new DraftPatch { Text = "something nobody reviewed" });
        Assert.Null(edited.ApprovedAt);
        Assert.Null(edited.ApprovedBy);

        _store.Clock.Advance(TimeSpan.FromMinutes(5));
        await Job.SendScheduledAsync(edited.DraftId, edited.Version);
        Assert.Equal(0, await MessagesFor(held.DraftId));
        Assert.True(approved.Version < edited.Version);
    }

    [Fact]
    public async Task Only_a_person_can_approve()
    {
        var draft = await ScheduleAsync(_reviewed, TimeSpan.FromMinutes(5));

        await Assert.ThrowsAsync<ForbiddenException>(() => Drafts.ApproveAsync(TestActors.Agent, _reviewed, draft.DraftId, draft.Version, Now));
        await Assert.ThrowsAsync<ForbiddenException>(() => Drafts.ApproveAsync(Actor.System, _reviewed, draft.DraftId, draft.Version, Now));
    }

    [Fact]
    public async Task Undoing_an_approval_holds_the_draft_again()
    {
        var draft = await ScheduleAsync(_reviewed, TimeSpan.FromMinutes(5));
        var approved = await Drafts.ApproveAsync(TestActors.Supervisor, _reviewed, draft.DraftId, draft.Version, Now + TimeSpan.FromSeconds(5));

        var undone = await Drafts.UndoApprovalAsync(TestActors.Supervisor, _reviewed, draft.DraftId, approved.Version);

        Assert.Null(undone.ApprovedAt);
        Assert.Equal(DraftState.Pending, undone.State);
    }

    [Fact]
    public async Task Turning_review_off_releases_held_drafts_to_the_due_sweep()
    {
        var held = await ScheduleAsync(_reviewed, TimeSpan.FromMinutes(5));
        _store.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, await _store.Get<DueSweepJob>().RunAsync());

        var inbox = await _store.Get<InboxService>().SetReviewRequiredAsync(_reviewed, false);

        Assert.False(inbox.ReviewRequired);
        Assert.Equal(1, await _store.Get<DueSweepJob>().RunAsync());
        await Job.SendScheduledAsync(held.DraftId, held.Version);
        Assert.Equal(1, await MessagesFor(held.DraftId));
    }
}
