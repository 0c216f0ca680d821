namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>
/// SQLite takes one writer at a time. Writers in this process queue here, first come first served, for the span of
/// their write transaction, so they never meet SQLITE_BUSY: Microsoft.Data.Sqlite answers that by sleeping 150 ms
/// before trying again, which under a burst of writes turned 2 ms commits into 150–500 ms waits.
/// Leaving the gate also waits until what was committed is on disk (<see cref="WalGroupCommit"/>), so a caller never
/// answers for a write that a power cut could still take back. One writer at a time also means event positions are
/// committed in order, so nothing more is needed for the event log.
/// </summary>
public sealed class SqliteWriteGate(WalGroupCommit durability) : IStoreWriteGate
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async ValueTask<IAsyncDisposable> EnterAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        return new Held(_gate, durability);
    }

    public Task SaveAsync(ReviewDbContext db, bool appendsEvents, CancellationToken ct) => db.SaveChangesAsync(ct);

    private sealed class Held(SemaphoreSlim gate, WalGroupCommit durability) : IAsyncDisposable
    {
        private int _left;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                gate.Release();
                await durability.FlushAsync();
            }
        }
    }
}
