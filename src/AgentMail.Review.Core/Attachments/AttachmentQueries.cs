using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Attachments;

public enum AttachmentOwnerKind
{
    Draft,
    Message,

    /// <summary>Not an attachment but the message's own MIME form (<c>messages.get_raw</c>); OwnerId is the message id.</summary>
    RawMessage,
}

/// <summary>Which attachment of which draft or sent message, in which inbox: what a download link stands for.</summary>
public sealed record AttachmentOwner(AttachmentOwnerKind Kind, string InboxId, string OwnerId, string AttachmentId);

public sealed record AttachmentFile(AttachmentInfo Info, byte[] Data);

/// <summary>
/// Reads attachments of drafts and sent messages. The bytes are kept when a draft is sent (its Message lists the same
/// attachment ids), and go only with the draft's deletion, the attachment's removal from it, or the inbox's deletion.
/// </summary>
public sealed class AttachmentQueries(IDbContextFactory<ReviewDbContext> dbFactory)
{
    /// <summary>A draft's attachment, as the caller may see it; <paramref name="inboxId"/> null looks it up organisation-wide.</summary>
    public async Task<(AttachmentOwner Owner, AttachmentInfo Info)> FindOnDraftAsync(AccessScope scope, string? inboxId, string draftId, string attachmentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var draft = await db.Drafts.AsNoTracking().FirstOrDefaultAsync(d => d.DraftId == draftId, ct);
        if (draft is null || (inboxId is not null && !string.Equals(draft.InboxId, inboxId, StringComparison.OrdinalIgnoreCase)) || !scope.Allows(draft.InboxId))
        {
            throw new NotFoundException(inboxId is null ? $"draft {draftId} not found" : $"draft {draftId} not found in inbox {inboxId}");
        }

        var info = draft.Attachments.FirstOrDefault(a => a.AttachmentId == attachmentId)
            ?? throw new NotFoundException($"attachment {attachmentId} not found on draft {draftId}");
        return (new AttachmentOwner(AttachmentOwnerKind.Draft, draft.InboxId, draft.DraftId, attachmentId), info);
    }

    /// <summary>A sent message's attachment; the caller has already checked that it may use <paramref name="inboxId"/>.</summary>
    public async Task<(AttachmentOwner Owner, AttachmentInfo Info)> FindOnMessageAsync(string inboxId, string messageId, string attachmentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var message = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.MessageId == messageId && m.InboxId == inboxId, ct)
            ?? throw new NotFoundException($"message {messageId} not found in inbox {inboxId}");
        var info = message.Attachments.FirstOrDefault(a => a.AttachmentId == attachmentId)
            ?? throw new NotFoundException($"attachment {attachmentId} not found on message {messageId}");
        return (new AttachmentOwner(AttachmentOwnerKind.Message, message.InboxId, message.MessageId, attachmentId), info);
    }

    /// <summary>
    /// An attachment of any message in a thread, as the caller may see it; <paramref name="inboxId"/> null looks the
    /// thread up organisation-wide. A thread's attachments are its messages' attachments.
    /// </summary>
    public async Task<(AttachmentOwner Owner, AttachmentInfo Info)> FindOnThreadAsync(AccessScope scope, string? inboxId, string threadId, string attachmentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var thread = await db.Threads.AsNoTracking().FirstOrDefaultAsync(t => t.ThreadId == threadId, ct);
        if (thread is null || (inboxId is not null && !string.Equals(thread.InboxId, inboxId, StringComparison.OrdinalIgnoreCase)) || !scope.Allows(thread.InboxId))
        {
            throw new NotFoundException(inboxId is null ? $"thread {threadId} not found" : $"thread {threadId} not found in inbox {inboxId}");
        }

        var messages = await db.Messages.AsNoTracking()
            .Where(m => m.ThreadId == threadId)
            .OrderBy(m => m.Timestamp).ThenBy(m => m.MessageId)
            .ToListAsync(ct);
        foreach (var message in messages)
        {
            if (message.Attachments.FirstOrDefault(a => a.AttachmentId == attachmentId) is { } info)
            {
                return (new AttachmentOwner(AttachmentOwnerKind.Message, message.InboxId, message.MessageId, attachmentId), info);
            }
        }

        throw new NotFoundException($"attachment {attachmentId} not found in thread {threadId}");
    }

    /// <summary>
    /// The attachment and its bytes, if its owner still has it. A draft's attachment stays readable once the draft is
    /// sent, from the Message it became.
    /// </summary>
    public async Task<AttachmentFile> ReadAsync(AttachmentOwner owner, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        IReadOnlyList<AttachmentInfo>? attachments = null;
        if (owner.Kind == AttachmentOwnerKind.Draft)
        {
            attachments = (await db.Drafts.AsNoTracking().FirstOrDefaultAsync(d => d.DraftId == owner.OwnerId && d.InboxId == owner.InboxId, ct))?.Attachments;
            attachments ??= (await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.DraftId == owner.OwnerId && m.InboxId == owner.InboxId, ct))?.Attachments;
        }
        else
        {
            attachments = (await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.MessageId == owner.OwnerId && m.InboxId == owner.InboxId, ct))?.Attachments;
        }

        var info = attachments?.FirstOrDefault(a => a.AttachmentId == owner.AttachmentId);
        var content = info is null ? null : await db.AttachmentContents.AsNoTracking().FirstOrDefaultAsync(c => c.AttachmentId == owner.AttachmentId, ct);
        if (info is null || content is null)
        {
            throw new NotFoundException($"attachment {owner.AttachmentId} no longer exists: its {owner.Kind.ToString().ToLowerInvariant()} was deleted or it was removed");
        }

        return new AttachmentFile(info, content.Data);
    }
}
