using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Threads;

/// <summary>
/// Keeps a thread's row in step with its messages. Called inside the transaction that records a message (sent or
/// received), so a thread never shows a message that is not there or misses one that is.
/// </summary>
public static class ThreadLedger
{
    /// <summary>The thread a new draft starts, if it is not one already: it can be labelled before anything is sent.</summary>
    public static async Task EnsureAsync(ReviewDbContext db, string threadId, string inboxId, string? subject, DateTime now, CancellationToken ct)
    {
        if (!await db.Threads.AnyAsync(t => t.ThreadId == threadId, ct))
        {
            db.Threads.Add(new MailThread { ThreadId = threadId, InboxId = inboxId, Subject = subject, Timestamp = now, CreatedAt = now, UpdatedAt = now });
        }
    }

    /// <summary>
    /// Takes a message just added to <paramref name="db"/> into its thread's summary; a thread without a row yet gets
    /// one built from the messages it already has.
    /// </summary>
    public static Task RecordAsync(ReviewDbContext db, Message message, CancellationToken ct) =>
        RecordAsync(db, [message], (_, _) => { }, ct);

    /// <summary>
    /// Messages just added to <paramref name="db"/>, taken into their threads in order, with the stored rows read once
    /// for all of them. <paramref name="recorded"/> is called for each message as soon as its thread has taken it in,
    /// so what it writes shows the thread as it is at that message.
    /// </summary>
    public static async Task RecordAsync(ReviewDbContext db, IReadOnlyList<Message> messages, Action<Message, MailThread> recorded, CancellationToken ct)
    {
        var threadIds = messages.Select(m => m.ThreadId).Distinct().ToList();
        var threads = await db.Threads.Where(t => threadIds.Contains(t.ThreadId)).ToDictionaryAsync(t => t.ThreadId, ct);
        var storedLabels = (await db.Messages.AsNoTracking()
                .Where(m => threadIds.Contains(m.ThreadId))
                .Select(m => new { m.ThreadId, m.Labels })
                .ToListAsync(ct))
            .ToLookup(m => m.ThreadId, m => (IReadOnlyList<string>)m.Labels);
        var labels = threadIds.ToDictionary(id => id, id => storedLabels[id].ToList());
        foreach (var message in messages)
        {
            if (!threads.TryGetValue(message.ThreadId, out var thread))
            {
                thread = await StartFromStoredAsync(db, message, ct);
                threads.Add(thread.ThreadId, thread);
            }

            thread.Add(message);
            labels[thread.ThreadId].Add(message.Labels);
            thread.RelabelFrom(labels[thread.ThreadId]);
            recorded(message, thread);
        }
    }

    private static async Task<MailThread> StartFromStoredAsync(ReviewDbContext db, Message message, CancellationToken ct)
    {
        var earlier = await db.Messages.AsNoTracking()
            .Where(m => m.ThreadId == message.ThreadId && m.InboxId == message.InboxId)
            .OrderBy(m => m.Timestamp)
            .ToListAsync(ct);
        var startedAt = earlier.Count > 0 ? earlier[0].CreatedAt : message.Timestamp;
        var thread = new MailThread { ThreadId = message.ThreadId, InboxId = message.InboxId, Subject = message.Subject, Timestamp = startedAt, CreatedAt = startedAt, UpdatedAt = startedAt };
        foreach (var known in earlier)
        {
            thread.Add(known);
        }

        db.Threads.Add(thread);
        return thread;
    }

    /// <summary>Shows the labels of the thread's messages (with <paramref name="changed"/> as it is now) and its own.</summary>
    public static async Task RelabelAsync(ReviewDbContext db, MailThread thread, Message? changed, CancellationToken ct)
    {
        var others = await db.Messages.AsNoTracking()
            .Where(m => m.ThreadId == thread.ThreadId && (changed == null || m.MessageId != changed.MessageId))
            .Select(m => m.Labels)
            .ToListAsync(ct);
        thread.RelabelFrom(changed is null ? others : [.. others, changed.Labels]);
    }
}
