using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Messages;

public sealed class MessageQueries(IDbContextFactory<ReviewDbContext> dbFactory)
{
    private static readonly KeysetOrder<Message> ByTime = new(m => m.Timestamp, m => m.MessageId);

    public async Task<Message> GetAsync(string inboxId, string messageId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.MessageId == messageId && m.InboxId == inboxId, ct)
            ?? throw new NotFoundException($"message {messageId} not found in inbox {inboxId}");
    }

    /// <summary>The size of a message's complete MIME form, as sent or received (for <c>messages.get_raw</c>).</summary>
    public async Task<long> GetRawSizeAsync(string inboxId, string messageId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await EnsureInInboxAsync(db, inboxId, messageId, ct);
        var sizes = await db.MessageMimes.AsNoTracking().Where(m => m.MessageId == messageId).Select(m => (long)m.Mime.Length).ToListAsync(ct);
        return sizes.Count == 1 ? sizes[0] : throw NoRaw(messageId);
    }

    /// <summary>A message's complete MIME form, byte for byte as it was sent or received.</summary>
    public async Task<byte[]> ReadRawAsync(string inboxId, string messageId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await EnsureInInboxAsync(db, inboxId, messageId, ct);
        return await db.MessageMimes.AsNoTracking().Where(m => m.MessageId == messageId).Select(m => m.Mime).FirstOrDefaultAsync(ct)
            ?? throw NoRaw(messageId);
    }

    private static async Task EnsureInInboxAsync(ReviewDbContext db, string inboxId, string messageId, CancellationToken ct)
    {
        if (!await db.Messages.AnyAsync(m => m.MessageId == messageId && m.InboxId == inboxId, ct))
        {
            throw new NotFoundException($"message {messageId} not found in inbox {inboxId}");
        }
    }

    // Messages sent before their MIME form was kept have none to give.
    private static NotFoundException NoRaw(string messageId) => new($"message {messageId} has no stored MIME form: it was sent before this server kept one");

    public async Task<Message?> FindAsync(string messageId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.MessageId == messageId, ct);
    }

    public Task<Page<Message>> ListAsync(string? inboxId, ListRequest request, CancellationToken ct = default) =>
        ListAsync(inboxId, threadId: null, request, ct);

    /// <summary>One page of messages, of one thread when <paramref name="threadId"/> is given.</summary>
    public async Task<Page<Message>> ListAsync(string? inboxId, string? threadId, ListRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        IQueryable<Message> query = db.Messages.AsNoTracking();
        if (inboxId is not null)
        {
            query = query.Where(m => m.InboxId == inboxId);
        }

        if (threadId is not null)
        {
            query = query.Where(m => m.ThreadId == threadId);
        }

        foreach (var label in request.Labels)
        {
            query = query.Where(m => m.Labels.Contains(label));
        }

        return await Keyset.PageAsync(query, ByTime, request, ct);
    }
}
