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
    public static async Task RecordAsync(ReviewDbContext db, Message message, CancellationToken ct)
    {
        var thread = await db.Threads.FirstOrDefaultAsync(t => t.ThreadId == message.ThreadId, ct);
        if (thread is null)
        {
            var earlier = await db.Messages.AsNoTracking()
                .Where(m => m.ThreadId == message.ThreadId && m.InboxId == message.InboxId)
                .OrderBy(m => m.Timestamp)
                .ToListAsync(ct);
            var startedAt = earlier.Count > 0 ? earlier[0].CreatedAt : message.Timestamp;
            thread = new MailThread { ThreadId = message.ThreadId, InboxId = message.InboxId, Subject = message.Subject, Timestamp = startedAt, CreatedAt = startedAt, UpdatedAt = startedAt };
            foreach (var known in earlier)
            {
                thread.Add(known);
            }

            db.Threads.Add(thread);
        }

        thread.Add(message);
        await RelabelAsync(db, thread, message, ct);
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
