using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AgentMail.Review.Core.Scheduling;

/// <summary>
/// Start-up: Hangfire's in-memory storage has forgotten every job, and SQLite is the record. Sends cut off by the
/// last stop become failed (never re-sent by themselves); every scheduled draft gets its job again.
/// </summary>
public sealed partial class SendRecovery(
    IDbContextFactory<ReviewDbContext> dbFactory,
    DraftsService drafts,
    DraftChangeFeed feed,
    SendScheduler scheduler,
    ILogger<SendRecovery> logger)
{
    public async Task RecoverAsync(CancellationToken ct = default)
    {
        var interrupted = await drafts.FailInterruptedSendsAsync(ct);
        scheduler.Start(feed);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var scheduled = 0;
        await foreach (var draft in db.Drafts.AsNoTracking()
                           .Where(d => d.State == DraftState.Scheduled && d.SendAt != null)
                           .Select(d => new { d.DraftId, d.Version, d.SendAt })
                           .AsAsyncEnumerable()
                           .WithCancellation(ct))
        {
            scheduler.Schedule(draft.DraftId, draft.Version, draft.SendAt!.Value);
            scheduled++;
        }

        LogRecovered(logger, scheduled, interrupted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled {Scheduled} drafts again; {Interrupted} interrupted sends marked failed")]
    private static partial void LogRecovered(ILogger logger, int scheduled, int interrupted);
}
