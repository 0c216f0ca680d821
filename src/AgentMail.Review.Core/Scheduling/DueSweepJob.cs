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
/// Keeps the schedule whole. Drafts coming within the horizon get their Hangfire job. Any draft still scheduled well
/// past its send time has lost its job (a restart, a job that failed before it could claim), so the sweep enqueues a
/// send for it. The version guard in the claim makes a send that races its own late job harmless. It also resolves
/// claims past their lease and forgets idempotency keys past their 24 hours.
/// </summary>
public sealed partial class DueSweepJob(
    IDbContextFactory<ReviewDbContext> dbFactory,
    SendScheduler scheduler,
    DraftsService drafts,
    IMailTransport transport,
    IdempotencyKeys idempotencyKeys,
    IOptions<SchedulingOptions> options,
    TimeProvider clock,
    ILogger<DueSweepJob> logger)
{
    public const string RecurringJobId = "due-sweep";

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
            .Select(d => new { d.DraftId, d.Version })
            .Take(10_000)
            .ToListAsync();

        foreach (var draft in overdue)
        {
            scheduler.EnqueueDue(draft.DraftId, draft.Version);
        }

        var horizon = now + options.Value.Horizon;
        await foreach (var upcoming in db.Drafts.AsNoTracking()
                           .Where(d => d.State == DraftState.Scheduled && d.SendAt > overdueBefore && d.SendAt <= horizon)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Due-sweep found {Count} overdue scheduled drafts and is sending them")]
    private static partial void LogOverdue(ILogger logger, int count);
}
