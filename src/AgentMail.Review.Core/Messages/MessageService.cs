using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Persistence;
using AgentMail.Review.Core.Threads;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Messages;

/// <summary>Agents' changes to messages once they exist: their labels (<c>unread</c> included, to mark one read).</summary>
public sealed class MessageService(IDbContextFactory<ReviewDbContext> dbFactory, StoreCommit commit, DraftValidator validator, TimeProvider clock)
{
    /// <summary>Labels the system decides: a message was sent or received, and stays so.</summary>
    private static readonly IReadOnlySet<string> Fixed = new HashSet<string>(StringComparer.Ordinal) { Message.SentLabel, Message.ReceivedLabel };

    public async Task<Message> UpdateLabelsAsync(string inboxId, string messageId, IReadOnlyList<string> add, IReadOnlyList<string> remove, CancellationToken ct = default)
    {
        var errors = new DraftValidator.Errors();
        validator.CheckLabels(errors, "add_labels", add);
        validator.CheckLabels(errors, "remove_labels", remove);
        foreach (var (field, labels) in new[] { ("add_labels", add), ("remove_labels", remove) })
        {
            for (var i = 0; i < labels.Count; i++)
            {
                if (Fixed.Contains(labels[i].Trim()))
                {
                    errors.Add($"{field}[{i}]", $"\"{labels[i]}\" is set by the system and cannot be changed by hand");
                }
            }
        }

        errors.ThrowIfAny();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await commit.RunAsync(db, async () =>
        {
            var message = await db.Messages.FirstOrDefaultAsync(m => m.MessageId == messageId && m.InboxId == inboxId, ct)
                ?? throw new NotFoundException($"message {messageId} not found in inbox {inboxId}");
            var labels = message.Labels.Concat(add.Select(l => l.Trim())).Distinct(StringComparer.Ordinal).Where(l => !remove.Contains(l)).ToList();
            if (!labels.SequenceEqual(message.Labels))
            {
                message.Labels = labels;
                message.UpdatedAt = clock.UtcNowMs();
                if (await db.Threads.FirstOrDefaultAsync(t => t.ThreadId == message.ThreadId, ct) is { } thread)
                {
                    await ThreadLedger.RelabelAsync(db, thread, message, ct);
                }
            }

            return message;
        }, ct);
    }
}
