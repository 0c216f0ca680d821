using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Persistence.Postgres;

/// <summary>
/// PostgreSQL serialises writers by itself (row locks, the version checks), so a write takes no lock of ours — except
/// one that appends to the event log. Event positions come from a sequence when the row is inserted, so two commits
/// could become visible out of order, and a reader that read position 11 before 10 committed would never see 10. A
/// transaction-scoped advisory lock taken just before the event rows are saved and held to the commit keeps positions
/// committed in order across every instance; the <c>NOTIFY</c> in the same transaction is delivered at that commit,
/// and wakes every instance's event-log readers (<see cref="PostgresEventWakeup"/>).
/// </summary>
public sealed class PostgresWriteGate : IStoreWriteGate
{
    public const string EventsChannel = "review_events";

    /// <summary>The advisory lock key of the event log ("amr-evts").</summary>
    private const long EventLogLock = 0x616D_722D_6576_7473;

    private static readonly IAsyncDisposable Nothing = new NothingHeld();

    public ValueTask<IAsyncDisposable> EnterAsync(CancellationToken ct) => ValueTask.FromResult(Nothing);

    public async Task BeforeEventsSavedAsync(ReviewDbContext db, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Event-log rows are saved only inside a transaction (StoreCommit).");
        }

        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({EventLogLock}); NOTIFY {EventsChannel};", ct);
    }

    private sealed class NothingHeld : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
