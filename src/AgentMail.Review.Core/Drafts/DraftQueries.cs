using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Drafts;

/// <summary>Reads drafts straight from the store, one keyset page at a time.</summary>
public sealed class DraftQueries(IDbContextFactory<ReviewDbContext> dbFactory)
{
    private static readonly KeysetOrder<Draft> ByUpdate = new(d => d.UpdatedAt, d => d.DraftId);

    public async Task<Draft> GetAsync(AccessScope scope, string? inboxId, string draftId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var draft = await db.Drafts.AsNoTracking().FirstOrDefaultAsync(d => d.DraftId == draftId, ct);
        if (draft is null || (inboxId is not null && !string.Equals(draft.InboxId, inboxId, StringComparison.OrdinalIgnoreCase)) || !scope.Allows(draft.InboxId))
        {
            throw new NotFoundException(inboxId is null ? $"draft {draftId} not found" : $"draft {draftId} not found in inbox {inboxId}");
        }

        return draft;
    }

    /// <summary>The send time of a draft still scheduled at this version; null when it has moved on.</summary>
    public async Task<DateTime?> ScheduledSendAtAsync(string draftId, long version, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Drafts.AsNoTracking()
            .Where(d => d.DraftId == draftId && d.Version == version && d.State == DraftState.Scheduled)
            .Select(d => d.SendAt)
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>Scheduled drafts due in [<paramref name="from"/>, <paramref name="to"/>) that may leave without a person, in send-time order.</summary>
    public async Task<IReadOnlyList<DueDraft>> ScheduledBetweenAsync(DateTime from, DateTime to, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Drafts.AsNoTracking()
            .Where(d => d.State == DraftState.Scheduled && d.SendAt >= from && d.SendAt < to)
            .SendableUnattended(db)
            .OrderBy(d => d.SendAt).ThenBy(d => d.DraftId)
            .Select(d => new DueDraft(d.DraftId, d.Version, d.SendAt!.Value))
            .ToListAsync(ct);
    }

    public async Task<AttachmentContent> GetAttachmentAsync(AccessScope scope, string? inboxId, string draftId, string attachmentId, CancellationToken ct = default)
    {
        var draft = await GetAsync(scope, inboxId, draftId, ct);
        if (draft.Attachments.All(a => a.AttachmentId != attachmentId))
        {
            throw new NotFoundException($"attachment {attachmentId} not found on draft {draftId}");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AttachmentContents.AsNoTracking().FirstAsync(c => c.AttachmentId == attachmentId, ct);
    }

    public async Task<Page<Draft>> ListAsync(AccessScope scope, string? inboxId, ListRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        IQueryable<Draft> query = db.Drafts.AsNoTracking();
        if (inboxId is not null)
        {
            query = query.Where(d => d.InboxId == inboxId);
        }
        else if (scope.InboxIds is { } visible)
        {
            var ids = visible.ToList();
            query = query.Where(d => ids.Contains(d.InboxId));
        }

        foreach (var label in request.Labels)
        {
            // "scheduled" is the state shown as a label: asked as the state, the (State, UpdatedAt) index serves it.
            query = label == Draft.ScheduledLabel
                ? query.Where(d => d.State == DraftState.Scheduled)
                : query.Where(d => d.Labels.Contains(label));
        }

        return await Keyset.PageAsync(query, ByUpdate, request, ct);
    }
}
