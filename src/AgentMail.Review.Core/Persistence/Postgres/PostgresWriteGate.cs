using AgentMail.Review.Core.Events;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Persistence.Postgres;

/// <summary>
/// PostgreSQL serialises writers by itself (row locks, the version checks), so a write takes no lock of ours — except
/// one that appends to the event log. Event positions come from a sequence when the row is inserted, so two commits
/// could become visible out of order, and a reader that read position 11 before 10 committed would never see 10. So the
/// other rows are saved first; then a transaction-scoped advisory lock is taken, the event rows are inserted, and the
/// lock is held to the commit: positions commit in order across every instance, and the lock is held for the event
/// rows and the commit only. The <c>NOTIFY</c> in the same transaction is delivered at that commit, and wakes every
/// instance's event-log readers (<see cref="PostgresEventWakeup"/>).
/// </summary>
public sealed class PostgresWriteGate : IStoreWriteGate
{
    public const string EventsChannel = "review_events";

    /// <summary>The advisory lock key of the event log ("amr-evts").</summary>
    private const long EventLogLock = 0x616D_722D_6576_7473;

    private static readonly IAsyncDisposable Nothing = new NothingHeld();

    public ValueTask<IAsyncDisposable> EnterAsync(CancellationToken ct) => ValueTask.FromResult(Nothing);

    public async Task SaveAsync(ReviewDbContext db, bool appendsEvents, CancellationToken ct)
    {
        // A failed save fails the whole commit, so EF's savepoint around each save (two round trips) buys nothing.
        db.Database.AutoSavepointsEnabled = false;
        if (!appendsEvents)
        {
            await db.SaveChangesAsync(ct);
            return;
        }

        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Event-log rows are saved only inside a transaction (StoreCommit).");
        }

        // The event rows wait outside the change tracker while the rest is saved, then go in under the lock.
        var events = db.ChangeTracker.Entries<EventRecord>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        foreach (var record in events)
        {
            db.Entry(record).State = EntityState.Detached;
        }

        await db.SaveChangesAsync(ct);
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({EventLogLock}); NOTIFY {EventsChannel};", ct);
        db.AddRange(events);
        await db.SaveChangesAsync(ct);
    }

    private sealed class NothingHeld : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
