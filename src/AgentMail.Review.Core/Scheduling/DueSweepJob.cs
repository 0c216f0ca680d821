using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Idempotency;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Persistence;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Scheduling;

/// <summary>
/// Keeps the schedule whole. Drafts coming within the horizon get their Hangfire job: those whose send time entered it
/// since the sweeps before this one (<see cref="EnteringBand"/>); every other draft within it got its job when it was
/// scheduled or at start-up. Any draft still scheduled well past its send time has lost its job (a crash between the
/// commit and the job, a job that failed before it could claim), so the sweep enqueues its second's job again, for a
/// bounded number of drafts each time so that a backlog being worked through is not handed out twice over. The version
/// guard in the claim makes a send that races its own late job harmless. It also resolves claims past their lease and
/// forgets idempotency keys past their 24 hours.
/// </summary>
public sealed partial class DueSweepJob(
    IDbContextFactory<ReviewDbContext> dbFactory,
    SendScheduler scheduler,
    SecondJobsRunning running,
    DraftsService drafts,
    IMailTransport transport,
    IdempotencyKeys idempotencyKeys,
    IOptions<SchedulingOptions> options,
    TimeProvider clock,
    ILogger<DueSweepJob> logger)
{
    public const string RecurringJobId = "due-sweep";

    /// <summary>
    /// How far back from the horizon's end a sweep looks for drafts to hand a job. Wider than the time between sweeps,
    /// so a late or skipped sweep misses none; narrow, since with job storage shared by several instances, an instance
    /// does not know the jobs another made, and each draft in the band may get one extra job per instance (harmless:
    /// the claim's version guard lets one send).
    /// </summary>
    public static readonly TimeSpan EnteringBand = TimeSpan.FromMinutes(2);

    /// <summary>At most this many overdue drafts are handed a send per sweep (their seconds' jobs, enqueued again).</summary>
    public const int OverduePerSweep = 500;

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(60)]
    [JobDisplayName("Schedule drafts coming due and send overdue ones")]
    public async Task<int> RunAsync()
    {
        var now = clock.UtcNowMs();
        var overdueBefore = now - options.Value.SweepGrace;
        await using var db = await dbFactory.CreateDbContextAsync();
        var overdue = await db.Drafts.AsNoTracking()
            .Where(d => d.State == DraftState.Scheduled && d.SendAt <= overdueBefore)
            // Held for review: re-sending them every sweep would only be refused every time.
            .SendableUnattended(db)
            .OrderBy(d => d.SendAt)
            .Select(d => new { d.DraftId, d.SendAt })
            .Take(OverduePerSweep)
            .ToListAsync();

        // Their second's job again, once per second and part: thousands overdue in one second are a few jobs. One
        // running here is working through them already.
        foreach (var (second, part) in overdue.Select(d => (Second: SendDueSecondJob.SecondOf(d.SendAt!.Value), Part: SendDueSecondJob.PartOf(d.DraftId))).Distinct()
                     .Where(p => !running.IsRunning(p.Second, p.Part)))
        {
            scheduler.EnqueueDue(second, part);
        }

        var horizon = now + options.Value.Horizon;
        var bandStart = Max(overdueBefore, horizon - EnteringBand);
        await foreach (var upcoming in db.Drafts.AsNoTracking()
                           .Where(d => d.State == DraftState.Scheduled && d.SendAt > bandStart && d.SendAt <= horizon)
                           .Select(d => new { d.DraftId, d.Version, d.SendAt })
                           .AsAsyncEnumerable())
        {
            scheduler.Schedule(upcoming.DraftId, upcoming.Version, upcoming.SendAt!.Value);
        }

        if (overdue.Count > 0)
        {
            LogOverdue(logger, overdue.Count);
        }

        // Claims of instances that are gone, or past their lease, have no delivery behind them any more.
        await drafts.ResolveAbandonedClaimsAsync(transport.DeliversOnCommit);
        await idempotencyKeys.ForgetExpiredAsync();

        return overdue.Count;
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Due-sweep found {Count} overdue scheduled drafts and is sending them")]
    private static partial void LogOverdue(ILogger logger, int count);
}
