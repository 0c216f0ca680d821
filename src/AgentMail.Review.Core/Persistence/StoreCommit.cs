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

    /// <summary>
    /// Several units of work in one commit, each applied and saved in turn, so each sees the rows of those before it;
    /// nothing stays tracked from one unit to the next.
    /// The event rows are kept aside until the last, so the gate saves them as it saves any commit's (on PostgreSQL,
    /// under the event log's lock, after the rest). A throw from any of them rolls back all of them.
    /// </summary>
    public async Task<IReadOnlyList<TResult>> RunEachAsync<TItem, TResult>(ReviewDbContext db, IReadOnlyList<TItem> items, Func<TItem, Task<TResult>> work, CancellationToken ct)
    {
        var results = new List<TResult>(items.Count);
        await RunAsync(db, async () =>
        {
            // A failed save fails the whole commit, so a savepoint around each save buys nothing.
            db.Database.AutoSavepointsEnabled = false;
            var events = new List<EventRecord>();
            foreach (var item in items)
            {
                results.Add(await work(item));
                var added = db.ChangeTracker.Entries<EventRecord>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
                foreach (var record in added)
                {
                    db.Entry(record).State = EntityState.Detached;
                }

                events.AddRange(added);
                await db.SaveChangesAsync(ct);
                // Saved; the next unit's save should not look over this one's rows again (each save checks every tracked row).
                db.ChangeTracker.Clear();
            }

            db.Events.AddRange(events);
            return true;
        }, ct);
        return results;
    }

    public Task RunAsync(ReviewDbContext db, Func<Task> work, CancellationToken ct) =>
        RunAsync(db, async () => { await work(); return true; }, ct);

    /// <summary>A unit of work already complete in <paramref name="db"/>'s change tracker.</summary>
    public Task SaveAsync(ReviewDbContext db, CancellationToken ct) => RunAsync(db, () => Task.FromResult(true), ct);
}
