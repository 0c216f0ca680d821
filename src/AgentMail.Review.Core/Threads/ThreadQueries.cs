using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Threads;

/// <summary>A thread with its messages, oldest first.</summary>
public sealed record ThreadWithMessages(MailThread Thread, IReadOnlyList<Message> Messages);

/// <summary>Reads threads straight from the store, one keyset page at a time, most recent first.</summary>
public sealed class ThreadQueries(IDbContextFactory<ReviewDbContext> dbFactory)
{
    private static readonly KeysetOrder<MailThread> ByLatest = new(t => t.Timestamp, t => t.ThreadId);

    public async Task<Page<MailThread>> ListAsync(AccessScope scope, string? inboxId, ListRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A thread started by a draft that has not gone out yet has nothing to list.
        var query = db.Threads.AsNoTracking().Where(t => t.MessageCount > 0);
        if (inboxId is not null)
        {
            query = query.Where(t => t.InboxId == inboxId);
        }
        else if (scope.InboxIds is { } visible)
        {
            var ids = visible.ToList();
            query = query.Where(t => ids.Contains(t.InboxId));
        }

        foreach (var label in request.Labels)
        {
            query = query.Where(t => t.Labels.Contains(label));
        }

        return await Keyset.PageAsync(query, ByLatest, request, ct);
    }

    public async Task<ThreadWithMessages> GetAsync(AccessScope scope, string? inboxId, string threadId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var thread = await db.Threads.AsNoTracking().FirstOrDefaultAsync(t => t.ThreadId == threadId, ct);
        if (thread is null || (inboxId is not null && thread.InboxId != inboxId) || !scope.Allows(thread.InboxId))
        {
            throw new NotFoundException(inboxId is null ? $"thread {threadId} not found" : $"thread {threadId} not found in inbox {inboxId}");
        }

        var messages = await db.Messages.AsNoTracking()
            .Where(m => m.ThreadId == threadId)
            .OrderBy(m => m.Timestamp).ThenBy(m => m.MessageId)
            .ToListAsync(ct);
        return new ThreadWithMessages(thread, messages);
    }

    /// <summary>
    /// The conversation a draft belongs to, as the console shows it beside the draft: every message of the thread in
    /// its inbox, sent and received, oldest first. Empty for a thread nothing has been sent or received in yet.
    /// </summary>
    public async Task<IReadOnlyList<Message>> ConversationAsync(string inboxId, string threadId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Messages.AsNoTracking()
            .Where(m => m.ThreadId == threadId && m.InboxId == inboxId)
            .OrderBy(m => m.Timestamp).ThenBy(m => m.MessageId)
            .ToListAsync(ct);
    }
}
