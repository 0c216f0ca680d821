using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Scheduling;

/// <summary>
/// Start-up. Sends cut off by the last stop are resolved (<see cref="DraftsService.ResolveAbandonedClaimsAsync"/>: sent
/// again only where certainly undelivered). Where Hangfire's storage is in memory it has forgotten every job, and the
/// store is the record: every scheduled draft due within the horizon gets its job again (later ones get theirs from
/// the due-sweep, as at any other time). Shared job storage still has them (<see cref="JobStorageKind"/>).
/// </summary>
public sealed partial class SendRecovery(
    IDbContextFactory<ReviewDbContext> dbFactory,
    DraftsService drafts,
    IMailTransport transport,
    DraftChangeFeed feed,
    SendScheduler scheduler,
    JobStorageKind jobStorage,
    IOptions<SchedulingOptions> options,
    TimeProvider clock,
    ILogger<SendRecovery> logger)
{
    public async Task RecoverAsync(CancellationToken ct = default)
    {
        var interrupted = await drafts.ResolveAbandonedClaimsAsync(transport.DeliversOnCommit, ct);
        scheduler.Start(feed);
        if (jobStorage.KeepsJobsAcrossRestarts)
        {
            LogRecovered(logger, 0, interrupted);
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var horizon = clock.UtcNowMs() + options.Value.Horizon;
        var scheduled = 0;
        await foreach (var draft in db.Drafts.AsNoTracking()
                           .Where(d => d.State == DraftState.Scheduled && d.SendAt != null && d.SendAt <= horizon)
                           .Select(d => new { d.DraftId, d.Version, d.SendAt })
                           .AsAsyncEnumerable()
                           .WithCancellation(ct))
        {
            scheduler.Schedule(draft.DraftId, draft.Version, draft.SendAt!.Value);
            scheduled++;
        }

        LogRecovered(logger, scheduled, interrupted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled {Scheduled} drafts due within the horizon again; resolved {Interrupted} sends cut off by the last stop")]
    private static partial void LogRecovered(ILogger logger, int scheduled, int interrupted);
}
