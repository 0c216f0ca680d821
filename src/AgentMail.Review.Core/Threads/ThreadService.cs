using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Threads;

/// <summary>Agents' changes to threads: their own labels, and deleting a conversation.</summary>
public sealed class ThreadService(IDbContextFactory<ReviewDbContext> dbFactory, StoreCommit commit, DraftValidator validator, TimeProvider clock)
{
    /// <summary>Adds and removes the agents' own labels; the system's (sent, received, unread…) cannot be changed by hand.</summary>
    public async Task<MailThread> UpdateLabelsAsync(AccessScope scope, string? inboxId, string threadId, IReadOnlyList<string> add, IReadOnlyList<string> remove, CancellationToken ct = default)
    {
        var errors = new DraftValidator.Errors();
        validator.CheckLabels(errors, "add_labels", add);
        validator.CheckLabels(errors, "remove_labels", remove);
        CheckNotSystem(errors, "add_labels", add);
        CheckNotSystem(errors, "remove_labels", remove);
        errors.ThrowIfAny();

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await commit.RunAsync(db, async () =>
        {
            var thread = await FindAsync(db, scope, inboxId, threadId, ct);
            var labels = thread.UserLabels.Concat(add.Select(l => l.Trim())).Distinct(StringComparer.Ordinal).Where(l => !remove.Contains(l)).ToList();
            if (!labels.SequenceEqual(thread.UserLabels))
            {
                thread.UserLabels = labels;
                thread.UpdatedAt = clock.UtcNowMs();
                await ThreadLedger.RelabelAsync(db, thread, null, ct);
            }

            return thread;
        }, ct);
    }

    /// <summary>Deletes the conversation and its messages; refused while drafts still belong to it.</summary>
    public async Task DeleteAsync(AccessScope scope, string? inboxId, string threadId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await commit.RunAsync(db, async () =>
        {
            var thread = await FindAsync(db, scope, inboxId, threadId, ct);
            var drafts = await db.Drafts.AsNoTracking().Where(d => d.ThreadId == threadId).Select(d => d.DraftId).ToListAsync(ct);
            if (drafts.Count > 0)
            {
                throw new ConflictException($"thread {threadId} still has drafts ({string.Join(", ", drafts)}); delete or send them first");
            }

            var messageIds = await db.Messages.Where(m => m.ThreadId == threadId).Select(m => m.MessageId).ToListAsync(ct);
            await db.MessageMimes.Where(m => messageIds.Contains(m.MessageId)).ExecuteDeleteAsync(ct);
            await db.Messages.Where(m => m.ThreadId == threadId).ExecuteDeleteAsync(ct);
            db.Threads.Remove(thread);
        }, ct);
    }

    private static void CheckNotSystem(DraftValidator.Errors errors, string field, IReadOnlyList<string> labels)
    {
        for (var i = 0; i < labels.Count; i++)
        {
            if (MailThread.SystemLabels.Contains(labels[i].Trim()))
            {
                errors.Add($"{field}[{i}]", $"\"{labels[i]}\" is set by the system and cannot be changed by hand");
            }
        }
    }

    private static async Task<MailThread> FindAsync(ReviewDbContext db, AccessScope scope, string? inboxId, string threadId, CancellationToken ct)
    {
        var thread = await db.Threads.FirstOrDefaultAsync(t => t.ThreadId == threadId, ct);
        return thread is null || (inboxId is not null && thread.InboxId != inboxId) || !scope.Allows(thread.InboxId)
            ? throw new NotFoundException($"thread {threadId} not found")
            : thread;
    }
}
