using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Scheduling;
using AgentMail.Review.Core.Tests.Support;
using Hangfire;
using Hangfire.States;
using Hangfire.Storage.Monitoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Core.Tests.Scheduling;

/// <summary>
/// The scheduler sees that every scheduled draft within the horizon has a live Hangfire job that sends it at its
/// current version: its second's job, or, due within moments, one of its own.
/// </summary>
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

    /// <summary>The waiting jobs that would send this draft: its second's job for its part, or one of its own.</summary>
    private List<(string Id, ScheduledJobDto Job)> LiveScheduledJobs(string draftId) => LiveScheduledJobs(_store, draftId);

    private static List<(string Id, ScheduledJobDto Job)> LiveScheduledJobs(TestStore store, string draftId)
    {
        using var db = store.OpenDb();
        var sendAt = db.Drafts.AsNoTracking().Where(d => d.DraftId == draftId).Select(d => d.SendAt).FirstOrDefault();
        return store.Get<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 1000)
            .Where(j => j.Value.InScheduledState && Sends(j.Value, draftId, sendAt))
            .Select(j => (j.Key, j.Value))
            .ToList();
    }

    private static bool Sends(ScheduledJobDto job, string draftId, DateTime? sendAt) =>
        job.Job.Type == typeof(SendDueSecondJob)
            ? sendAt is { } at && Convert.ToInt64(job.Job.Args[0]) == SendDueSecondJob.SecondOf(at) && Convert.ToInt32(job.Job.Args[1]) == SendDueSecondJob.PartOf(draftId)
            : job.Job.Args[0] as string == draftId;

    private async Task<bool> SentAsync(string draftId)
    {
        await using var db = _store.OpenDb();
        return await db.Messages.AnyAsync(m => m.DraftId == draftId);
    }

    /// <summary>Runs a second's job as Hangfire would at its time.</summary>
    private Task RunSecondsJobAsync(ScheduledJobDto job) =>
        _store.Get<SendDueSecondJob>().RunAsync(Convert.ToInt64(job.Job.Args[0]), Convert.ToInt32(job.Job.Args[1]));

    [Fact]
    public async Task A_draft_due_in_a_while_is_sent_by_its_seconds_job_at_its_time()
    {
        var sendAt = Now.AddMinutes(3).AddMilliseconds(400);
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"], SendAt = sendAt });

        var (_, job) = Assert.Single(LiveScheduledJobs(draft.DraftId));
        Assert.Equal(nameof(SendDueSecondJob.RunAsync), job.Job.Method.Name);
        Assert.Equal(sendAt.AddMilliseconds(-400), job.EnqueueAt);

        _store.Clock.SetUtcNow(sendAt);
        await RunSecondsJobAsync(job);
        Assert.True(await SentAsync(draft.DraftId));
    }

    [Fact]
    public async Task Drafts_due_in_the_same_second_share_one_job_per_part()
    {
        var sendAt = Now.AddMinutes(3);
        var drafts = new List<Draft>();
        for (var i = 0; i < 40; i++)
        {
            drafts.Add(await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = [$"c{i}@example.com"], SendAt = sendAt.AddMilliseconds(i * 20) }));
        }

        var jobs = _store.Get<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 1000).Where(j => j.Value.InScheduledState).ToList();
        Assert.Equal(drafts.Select(d => SendDueSecondJob.PartOf(d.DraftId)).Distinct().Count(), jobs.Count);
        Assert.All(drafts, d => Assert.Single(LiveScheduledJobs(d.DraftId)));

        // Every part's job at once, as the workers would run them, while time passes.
        _store.Clock.SetUtcNow(sendAt.AddSeconds(1));
        await WhileTimePassesAsync(Task.WhenAll(jobs.Select(j => RunSecondsJobAsync(j.Value))));

        foreach (var draft in drafts)
        {
            Assert.True(await SentAsync(draft.DraftId), $"{draft.DraftId} was not sent");
        }
    }

    [Fact]
    public async Task A_draft_rescheduled_leaves_at_its_new_time_and_its_old_seconds_job_sends_nothing()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"], SendAt = Now.AddMinutes(3) });
        var (_, oldJob) = Assert.Single(LiveScheduledJobs(draft.DraftId));

        var later = Now.AddMinutes(5);
        var moved = await Drafts.UpdateAsync(TestActors.Supervisor, _inbox, draft.DraftId, new DraftPatch { SendAt = later });
        var (_, job) = Assert.Single(LiveScheduledJobs(draft.DraftId));
        Assert.Equal(later, job.EnqueueAt);

        _store.Clock.Advance(TimeSpan.FromMinutes(3));
        await RunSecondsJobAsync(oldJob);
        Assert.False(await SentAsync(draft.DraftId));

        _store.Clock.Advance(TimeSpan.FromMinutes(2));
        await RunSecondsJobAsync(job);
        Assert.True(await SentAsync(draft.DraftId));
        Assert.NotEqual(draft.Version, moved.Version);
    }

    [Fact]
    public async Task A_draft_due_within_moments_gets_a_job_of_its_own_for_its_version_and_rescheduling_deletes_it()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = Now.AddSeconds(1) });
        var (oldJobId, own) = Assert.Single(LiveScheduledJobs(draft.DraftId));
        Assert.Equal(nameof(SendDraftJob.SendScheduledAsync), own.Job.Method.Name);
        Assert.Equal(draft.Version, Convert.ToInt64(own.Job.Args[1]));

        await Drafts.UpdateAsync(TestActors.Supervisor, _inbox, draft.DraftId, new DraftPatch { SendAt = Now.AddMinutes(5) });

        Assert.Equal(DeletedState.StateName, _store.Get<JobStorage>().GetMonitoringApi().JobDetails(oldJobId).History[0].StateName);
        var (_, job) = Assert.Single(LiveScheduledJobs(draft.DraftId));
        Assert.Equal(nameof(SendDueSecondJob.RunAsync), job.Job.Method.Name);
    }

    [Fact]
    public async Task A_seconds_job_sends_what_another_parts_job_left_once_it_is_past_the_take_over_time()
    {
        var sendAt = Now.AddMinutes(3);
        var drafts = new List<Draft>();
        for (var i = 0; drafts.Select(d => SendDueSecondJob.PartOf(d.DraftId)).Distinct().Count() < 2; i++)
        {
            drafts.Add(await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = [$"c{i}@example.com"], SendAt = sendAt }));
        }

        // Only the first draft's part's job runs: the other parts' jobs were on an instance that died.
        var part = SendDueSecondJob.PartOf(drafts[0].DraftId);
        _store.Clock.SetUtcNow(sendAt + SendDueSecondJob.TakeOverAfter);
        await _store.Get<SendDueSecondJob>().RunAsync(SendDueSecondJob.SecondOf(sendAt), part);

        foreach (var draft in drafts)
        {
            Assert.True(await SentAsync(draft.DraftId), $"{draft.DraftId} (part {SendDueSecondJob.PartOf(draft.DraftId)}) was not sent");
        }
    }

    [Fact]
    public async Task A_seconds_job_enqueued_again_while_the_first_still_runs_here_ends_at_once_and_the_draft_leaves_once()
    {
        var sendAt = Now.AddMinutes(3).AddMilliseconds(500);
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"], SendAt = sendAt });
        var (second, part) = (SendDueSecondJob.SecondOf(sendAt), SendDueSecondJob.PartOf(draft.DraftId));

        // The first is waiting out the half second to the draft's send time.
        _store.Clock.SetUtcNow(sendAt.AddMilliseconds(-500));
        var first = _store.Get<SendDueSecondJob>().RunAsync(second, part);
        await _store.Get<SendDueSecondJob>().RunAsync(second, part);
        Assert.False(first.IsCompleted);
        Assert.False(await SentAsync(draft.DraftId));

        await WhileTimePassesAsync(first);
        await using var db = _store.OpenDb();
        Assert.Equal(1, await db.Messages.CountAsync(m => m.DraftId == draft.DraftId));
    }

    [Fact]
    public async Task A_draft_due_beyond_the_horizon_gets_its_job_from_the_due_sweep_once_it_comes_within_it()
    {
        var sendAt = Now.AddHours(2);
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = sendAt });
        Assert.Empty(LiveScheduledJobs(draft.DraftId));

        await _store.Get<DueSweepJob>().RunAsync();
        Assert.Empty(LiveScheduledJobs(draft.DraftId));

        // Now 14 minutes ahead: it has just come within the 15-minute horizon.
        _store.Clock.Advance(TimeSpan.FromMinutes(106));
        await _store.Get<DueSweepJob>().RunAsync();
        var (_, job) = Assert.Single(LiveScheduledJobs(draft.DraftId));
        Assert.Equal(sendAt, job.EnqueueAt);

        // A second sweep finds the job in place and adds none.
        await _store.Get<DueSweepJob>().RunAsync();
        Assert.Single(LiveScheduledJobs(draft.DraftId));
    }

    [Fact]
    public async Task A_sweep_by_an_instance_that_did_not_schedule_them_hands_jobs_only_to_drafts_just_coming_within_the_horizon()
    {
        var scheduledEarlier = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = Now.AddMinutes(10) });
        var comingWithin = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = Now.AddMinutes(14) });

        // Another instance on the same store: its scheduler made neither job (here: fresh services, empty job storage).
        await using var other = await TestStore.ReopenAsync(_store);
        await other.Get<DueSweepJob>().RunAsync();

        Assert.Empty(LiveScheduledJobs(other, scheduledEarlier.DraftId));
        Assert.Single(LiveScheduledJobs(other, comingWithin.DraftId));
    }

    [Fact]
    public async Task Drafts_rescheduled_beyond_the_horizon_unscheduled_or_deleted_are_not_sent_by_their_seconds_job()
    {
        var sendAt = Now.AddMinutes(5);
        var moved = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"], SendAt = sendAt });
        var unscheduled = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["b@example.com"], SendAt = sendAt });
        var deleted = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["c@example.com"], SendAt = sendAt });
        var jobs = _store.Get<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 1000).Where(j => j.Value.InScheduledState).Select(j => j.Value).ToList();

        await Drafts.UpdateAsync(TestActors.Supervisor, _inbox, moved.DraftId, new DraftPatch { SendAt = Now.AddDays(3) });
        await Drafts.UpdateAsync(TestActors.Supervisor, _inbox, unscheduled.DraftId, new DraftPatch { SendAt = new Optional<DateTime?>(true, null) });
        await Drafts.DeleteAsync(TestActors.Supervisor, _inbox, deleted.DraftId);
        Assert.Empty(LiveScheduledJobs(moved.DraftId));
        Assert.Empty(LiveScheduledJobs(unscheduled.DraftId));

        _store.Clock.SetUtcNow(sendAt);
        foreach (var job in jobs)
        {
            await RunSecondsJobAsync(job);
        }

        Assert.False(await SentAsync(moved.DraftId));
        Assert.False(await SentAsync(unscheduled.DraftId));
        Assert.False(await SentAsync(deleted.DraftId));
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

        Assert.Single(LiveScheduledJobs(restarted, scheduled.DraftId));
        Assert.Empty(LiveScheduledJobs(restarted, nextWeek.DraftId));
        await using var db = restarted.OpenDb();
        var again = await db.Drafts.SingleAsync(d => d.DraftId == interrupted.DraftId);
        Assert.Equal(DraftState.Scheduled, again.State);
        Assert.Equal(DraftsService.InterruptedBeforeDeliveryReason, again.FailureReason);
        var enqueued = restarted.Get<JobStorage>().GetMonitoringApi().EnqueuedJobs("default", 0, 100);
        Assert.Single(enqueued, j => j.Value.Job.Args[0] as string == interrupted.DraftId && (long)j.Value.Job.Args[1] == again.Version);
    }

    [Fact]
    public async Task Start_up_recovery_with_job_storage_that_keeps_its_jobs_makes_none_again_and_still_resolves_interrupted_sends()
    {
        var scheduled = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = Now.AddMinutes(10) });
        var interrupted = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"] });
        await Drafts.ClaimForSendingAsync(TestActors.Agent, interrupted.DraftId, interrupted.Version, "cut off");

        await using var restarted = await TestStore.ReopenAsync(_store, services => services.AddSingleton(JobStorageKind.Shared));
        await restarted.Get<SendRecovery>().RecoverAsync();

        Assert.Empty(LiveScheduledJobs(restarted, scheduled.DraftId));
        await using var db = restarted.OpenDb();
        Assert.Equal(DraftsService.InterruptedBeforeDeliveryReason, (await db.Drafts.SingleAsync(d => d.DraftId == interrupted.DraftId)).FailureReason);
    }

    /// <summary>Moves the fake clock on a second at a time until <paramref name="work"/> is done (at most a minute of it).</summary>
    private async Task WhileTimePassesAsync(Task work)
    {
        for (var second = 0; !work.IsCompleted && second < 60; second++)
        {
            await Task.WhenAny(work, Task.Delay(50));
            _store.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        await work;
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
