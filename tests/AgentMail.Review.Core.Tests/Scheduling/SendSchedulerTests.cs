using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Scheduling;
using AgentMail.Review.Core.Tests.Support;
using Hangfire;
using Hangfire.States;
using Hangfire.Storage.Monitoring;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Tests.Scheduling;

/// <summary>The scheduler keeps exactly one live Hangfire job per scheduled draft, for its current version.</summary>
public sealed class SendSchedulerTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private string _inbox = null!;

    private DraftsService Drafts => _store.Get<DraftsService>();

    private DateTime Now => _store.Clock.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        _inbox = (await _store.CreateInboxAsync()).InboxId;
        _store.Get<SendScheduler>().Start(_store.Get<DraftChangeFeed>());
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private List<(string Id, ScheduledJobDto Job)> LiveScheduledJobs(string draftId) =>
        _store.Get<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 1000)
            .Where(j => j.Value.InScheduledState && j.Value.Job.Args[0] as string == draftId)
            .Select(j => (j.Key, j.Value))
            .ToList();

    [Fact]
    public async Task Scheduling_creates_a_job_at_the_send_time_for_the_current_version()
    {
        var sendAt = Now.AddMinutes(3);
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = sendAt });

        var (_, job) = Assert.Single(LiveScheduledJobs(draft.DraftId));
        Assert.Equal(sendAt, job.EnqueueAt);
        Assert.Equal(nameof(SendDraftJob.SendScheduledAsync), job.Job.Method.Name);
        Assert.Equal(draft.Version, Convert.ToInt64(job.Job.Args[1]));
    }

    [Fact]
    public async Task Rescheduling_replaces_the_job_and_the_old_one_is_deleted()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = Now.AddMinutes(3) });
        var (oldJobId, _) = Assert.Single(LiveScheduledJobs(draft.DraftId));

        var later = Now.AddMinutes(5);
        var moved = await Drafts.UpdateAsync(TestActors.Supervisor, _inbox, draft.DraftId, new DraftPatch { SendAt = later });

        var (_, job) = Assert.Single(LiveScheduledJobs(draft.DraftId));
        Assert.Equal(later, job.EnqueueAt);
        Assert.Equal(moved.Version, Convert.ToInt64(job.Job.Args[1]));
        Assert.Equal(DeletedState.StateName, _store.Get<JobStorage>().GetMonitoringApi().JobDetails(oldJobId).History[0].StateName);
    }

    [Fact]
    public async Task A_draft_due_beyond_the_horizon_gets_its_job_from_the_due_sweep_once_it_comes_within_it()
    {
        var sendAt = Now.AddHours(2);
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = sendAt });
        Assert.Empty(LiveScheduledJobs(draft.DraftId));

        await _store.Get<DueSweepJob>().RunAsync();
        Assert.Empty(LiveScheduledJobs(draft.DraftId));

        _store.Clock.Advance(TimeSpan.FromMinutes(110));
        await _store.Get<DueSweepJob>().RunAsync();
        var (_, job) = Assert.Single(LiveScheduledJobs(draft.DraftId));
        Assert.Equal(sendAt, job.EnqueueAt);
        Assert.Equal(draft.Version, Convert.ToInt64(job.Job.Args[1]));

        // A second sweep finds the job in place and adds none.
        await _store.Get<DueSweepJob>().RunAsync();
        Assert.Single(LiveScheduledJobs(draft.DraftId));
    }

    [Fact]
    public async Task Rescheduling_beyond_the_horizon_deletes_the_waiting_job()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = Now.AddMinutes(5) });
        var (jobId, _) = Assert.Single(LiveScheduledJobs(draft.DraftId));

        await Drafts.UpdateAsync(TestActors.Supervisor, _inbox, draft.DraftId, new DraftPatch { SendAt = Now.AddDays(3) });

        Assert.Empty(LiveScheduledJobs(draft.DraftId));
        Assert.Equal(DeletedState.StateName, _store.Get<JobStorage>().GetMonitoringApi().JobDetails(jobId).History[0].StateName);
    }

    [Fact]
    public async Task Unscheduling_and_deleting_cancel_the_job()
    {
        var unscheduled = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = Now.AddMinutes(10) });
        var deleted = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = Now.AddMinutes(10) });

        await Drafts.UpdateAsync(TestActors.Supervisor, _inbox, unscheduled.DraftId, new DraftPatch { SendAt = new Optional<DateTime?>(true, null) });
        await Drafts.DeleteAsync(TestActors.Supervisor, _inbox, deleted.DraftId);

        Assert.Empty(LiveScheduledJobs(unscheduled.DraftId));
        Assert.Empty(LiveScheduledJobs(deleted.DraftId));
    }

    [Fact]
    public async Task The_due_sweep_sends_overdue_drafts_that_lost_their_job_and_leaves_the_rest()
    {
        var overdue = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"], SendAt = Now.AddMinutes(1) });
        var future = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["b@example.com"], SendAt = Now.AddHours(1) });
        _store.Clock.Advance(TimeSpan.FromMinutes(2));
        using var server = _store.StartJobServer();

        var swept = await _store.Get<DueSweepJob>().RunAsync();

        Assert.Equal(1, swept);
        await WaitUntilAsync(async () =>
        {
            await using var db = _store.OpenDb();
            return await db.Messages.AnyAsync(m => m.DraftId == overdue.DraftId);
        });
        await using var check = _store.OpenDb();
        Assert.Equal(DraftState.Scheduled, (await check.Drafts.SingleAsync(d => d.DraftId == future.DraftId)).State);
    }

    [Fact]
    public async Task Start_up_recovery_sends_interrupted_outbox_sends_again_and_schedules_the_drafts_due_within_the_horizon_again()
    {
        var scheduled = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = Now.AddMinutes(10) });
        var nextWeek = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = Now.AddDays(7) });
        var interrupted = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"] });
        await Drafts.ClaimForSendingAsync(TestActors.Agent, interrupted.DraftId, interrupted.Version, "cut off");

        // A new process: fresh services and empty job storage over the same SQLite file.
        await using var restarted = await TestStore.ReopenAsync(_store);
        await restarted.Get<SendRecovery>().RecoverAsync();

        var jobs = restarted.Get<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 100);
        Assert.Single(jobs, j => j.Value.Job.Args[0] as string == scheduled.DraftId);
        Assert.DoesNotContain(jobs, j => j.Value.Job.Args[0] as string == nextWeek.DraftId);
        await using var db = restarted.OpenDb();
        var again = await db.Drafts.SingleAsync(d => d.DraftId == interrupted.DraftId);
        Assert.Equal(DraftState.Scheduled, again.State);
        Assert.Equal(DraftsService.InterruptedBeforeDeliveryReason, again.FailureReason);
        var enqueued = restarted.Get<JobStorage>().GetMonitoringApi().EnqueuedJobs("default", 0, 100);
        Assert.Single(enqueued, j => j.Value.Job.Args[0] as string == interrupted.DraftId && (long)j.Value.Job.Args[1] == again.Version);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true within 15 s");
            await Task.Delay(50);
        }
    }
}
