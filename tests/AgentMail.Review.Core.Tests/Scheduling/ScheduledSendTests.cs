using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Scheduling;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Tests.Scheduling;

/// <summary>The send job's rules, with time driven by a fake clock: never early, never stale, never twice.</summary>
public sealed class ScheduledSendTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private string _inbox = null!;

    private DraftsService Drafts => _store.Get<DraftsService>();

    private SendDraftJob Job => _store.Get<SendDraftJob>();

    private DateTime Now => _store.Clock.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        _inbox = (await _store.CreateInboxAsync()).InboxId;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private Task<Draft> ScheduleAsync(TimeSpan ahead) =>
        Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["bob@example.com"], Subject = "scheduled", SendAt = Now + ahead });

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

    [Fact]
    public async Task A_due_draft_is_sent()
    {
        var draft = await ScheduleAsync(TimeSpan.FromMinutes(5));
        _store.Clock.Advance(TimeSpan.FromMinutes(5));

        await Job.SendScheduledAsync(draft.DraftId, draft.Version);

        Assert.Equal(1, await MessagesFor(draft.DraftId));
        Assert.Null(await Find(draft.DraftId));
    }

    [Fact]
    public async Task A_job_that_fires_early_sends_nothing()
    {
        var draft = await ScheduleAsync(TimeSpan.FromMinutes(5));
        _store.Clock.Advance(TimeSpan.FromMinutes(4));

        await Job.SendScheduledAsync(draft.DraftId, draft.Version);

        Assert.Equal(0, await MessagesFor(draft.DraftId));
        Assert.Equal(DraftState.Scheduled, (await Find(draft.DraftId))!.State);
    }

    [Fact]
    public async Task A_job_started_a_fraction_of_a_second_early_waits_and_then_sends()
    {
        var draft = await ScheduleAsync(TimeSpan.FromMinutes(5));
        _store.Clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(700));

        var job = Job.SendScheduledAsync(draft.DraftId, draft.Version);
        await Task.Delay(100);
        Assert.False(job.IsCompleted);
        Assert.Equal(0, await MessagesFor(draft.DraftId));

        _store.Clock.Advance(TimeSpan.FromMilliseconds(700));
        await job.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, await MessagesFor(draft.DraftId));
    }

    [Fact]
    public async Task The_old_schedules_job_does_nothing_after_a_reschedule()
    {
        var draft = await ScheduleAsync(TimeSpan.FromMinutes(5));
        var moved = await Drafts.UpdateAsync(TestActors.Supervisor, _inbox, draft.DraftId, new DraftPatch { SendAt = Now + TimeSpan.FromHours(2) });
        _store.Clock.Advance(TimeSpan.FromMinutes(5));

        await Job.SendScheduledAsync(draft.DraftId, draft.Version);
        Assert.Equal(0, await MessagesFor(draft.DraftId));

        _store.Clock.Advance(TimeSpan.FromHours(2));
        await Job.SendScheduledAsync(draft.DraftId, moved.Version);
        Assert.Equal(1, await MessagesFor(draft.DraftId));
    }

    [Fact]
    public async Task An_unscheduled_draft_is_not_sent_when_its_old_time_comes()
    {
        var draft = await ScheduleAsync(TimeSpan.FromMinutes(5));
        var unscheduled = await Drafts.UpdateAsync(TestActors.Supervisor, _inbox, draft.DraftId, new DraftPatch { SendAt = new Optional<DateTime?>(true, null) });
        _store.Clock.Advance(TimeSpan.FromMinutes(10));

        await Job.SendScheduledAsync(draft.DraftId, draft.Version);
        await Job.SendScheduledAsync(draft.DraftId, unscheduled.Version);

        Assert.Equal(0, await MessagesFor(draft.DraftId));
        Assert.Equal(DraftState.Pending, (await Find(draft.DraftId))!.State);
    }

    [Fact]
    public async Task A_draft_deleted_while_scheduled_is_not_sent()
    {
        var draft = await ScheduleAsync(TimeSpan.FromMinutes(5));
        await Drafts.DeleteAsync(TestActors.Supervisor, _inbox, draft.DraftId);
        _store.Clock.Advance(TimeSpan.FromMinutes(5));

        await Job.SendScheduledAsync(draft.DraftId, draft.Version);

        Assert.Equal(0, await MessagesFor(draft.DraftId));
    }

    [Fact]
    public async Task A_draft_edited_after_scheduling_is_not_sent_by_the_job_for_the_old_content()
    {
        var draft = await ScheduleAsync(TimeSpan.FromMinutes(5));
        await Drafts.UpdateAsync(TestActors.Supervisor, _inbox, draft.DraftId, new DraftPatch { Subject = "corrected" });
        _store.Clock.Advance(TimeSpan.FromMinutes(5));

        await Job.SendScheduledAsync(draft.DraftId, draft.Version);

        Assert.Equal(0, await MessagesFor(draft.DraftId));
    }

    [Fact]
    public async Task An_agents_send_and_the_scheduled_time_at_the_same_instant_make_one_message()
    {
        for (var round = 0; round < 20; round++)
        {
            var draft = await ScheduleAsync(TimeSpan.FromSeconds(1));
            _store.Clock.Advance(TimeSpan.FromSeconds(1));

            await Task.WhenAll(
                Task.Run(() => Job.SendScheduledAsync(draft.DraftId, draft.Version)),
                Task.Run(() => _store.Get<SendService>().RequestAsync(new SendRequest(TestActors.Agent, AccessScope.Organisation, _inbox, draft.DraftId))));

            Assert.Equal(1, await MessagesFor(draft.DraftId));
        }

        await using var db = _store.OpenDb();
        Assert.Equal(20, await db.Outbox.CountAsync());
    }

    [Fact]
    public async Task Two_send_requests_at_once_deliver_once_and_both_answer_the_same_message()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["bob@example.com"] });
        var sending = _store.Get<SendService>();

        var receipts = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            sending.RequestAsync(new SendRequest(TestActors.Agent, AccessScope.Organisation, _inbox, draft.DraftId)))));

        Assert.Equal(1, await MessagesFor(draft.DraftId));
        Assert.All(receipts, r => Assert.Equal(receipts[0].MessageId, r.MessageId));
        Assert.Contains(receipts, r => r.Status == SendReceiptStatus.Sent);
        Assert.All(receipts, r => Assert.Contains(r.Status, new[] { SendReceiptStatus.Sent, SendReceiptStatus.InProgress }));
    }
}
