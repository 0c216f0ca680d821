using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Events;

/// <summary>Reads the event log in order from a remembered position.</summary>
public sealed class EventLogReader(IDbContextFactory<ReviewDbContext> dbFactory)
{
    public async Task<IReadOnlyList<EventRecord>> ReadAfterAsync(long position, int limit, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Events.AsNoTracking().Where(e => e.Position > position).OrderBy(e => e.Position).Take(limit).ToListAsync(ct);
    }

    /// <summary>The position of an event agents know by its id (to catch up after it), or null when there is none.</summary>
    public async Task<long?> PositionOfAsync(string eventId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Events.AsNoTracking().Where(e => e.EventId == eventId).Select(e => (long?)e.Position).FirstOrDefaultAsync(ct);
    }

    public async Task<long> LatestPositionAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Events.AsNoTracking().MaxAsync(e => (long?)e.Position, ct) ?? 0;
    }
}
