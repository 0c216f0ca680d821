namespace AgentMail.Review.Core.Persistence;

/// <summary>
/// SQLite takes one writer at a time. Writers in this process queue here, first come first served, for the span of
/// their write transaction, so they never meet SQLITE_BUSY: Microsoft.Data.Sqlite answers that by sleeping 150 ms
/// before trying again, which under a burst of writes turned 2 ms commits into 150–500 ms waits.
/// Leaving the lock also waits until what was committed is on disk (<see cref="WalGroupCommit"/>), so a caller never
/// answers for a write that a power cut could still take back.
/// </summary>
public sealed class StoreWriteLock(WalGroupCommit durability)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async ValueTask<Held> EnterAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        return new Held(_gate, durability);
    }

    public readonly struct Held(SemaphoreSlim gate, WalGroupCommit durability) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            gate.Release();
            await durability.FlushAsync();
        }
    }
}
