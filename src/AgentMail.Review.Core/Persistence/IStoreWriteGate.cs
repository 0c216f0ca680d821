namespace AgentMail.Review.Core.Persistence;

/// <summary>
/// What a store provider needs around a write transaction (<see cref="StoreCommit"/> is its one user besides the
/// key and idempotency stores). SQLite: one writer at a time in this process, and the commit on disk before the
/// writer leaves. PostgreSQL: event rows commit in the order of their positions, and every instance is told.
/// </summary>
public interface IStoreWriteGate
{
    /// <summary>Entered before the transaction begins and left after it ends.</summary>
    ValueTask<IAsyncDisposable> EnterAsync(CancellationToken ct);

    /// <summary>Inside the transaction: saves what <paramref name="db"/> tracks, event-log rows included.</summary>
    Task SaveAsync(ReviewDbContext db, bool appendsEvents, CancellationToken ct);
}
