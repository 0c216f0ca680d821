using AgentMail.Review.Core.Events;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Persistence;

/// <summary>
/// The one way a service's change commits: through the provider's write gate (<see cref="IStoreWriteGate"/>), in one
/// transaction with whatever <c>work</c> added (the rows, their audit entries, their events), durable before it
/// returns; then the event consumers are woken. Every service commits through here, so a change and its event row are
/// never apart.
/// </summary>
public sealed class StoreCommit(IStoreWriteGate gate, EventSignal events)
{
    public async Task<T> RunAsync<T>(ReviewDbContext db, Func<Task<T>> work, CancellationToken ct)
    {
        bool appended;
        T result;
        await using (await gate.EnterAsync(ct))
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            result = await work();
            appended = db.ChangeTracker.Entries<EventRecord>().Any(e => e.State == EntityState.Added);
            await gate.SaveAsync(db, appended, ct);
            await transaction.CommitAsync(ct);
        }

        // After the gate is left: the commit is on disk before anyone is told of it.
        if (appended)
        {
            events.Pulse();
        }

        return result;
    }

    public Task RunAsync(ReviewDbContext db, Func<Task> work, CancellationToken ct) =>
        RunAsync(db, async () => { await work(); return true; }, ct);

    /// <summary>A unit of work already complete in <paramref name="db"/>'s change tracker.</summary>
    public Task SaveAsync(ReviewDbContext db, CancellationToken ct) => RunAsync(db, () => Task.FromResult(true), ct);
}
