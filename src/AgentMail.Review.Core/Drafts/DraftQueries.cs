using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Drafts;

/// <summary>Reads drafts straight from the store, one keyset page at a time.</summary>
public sealed class DraftQueries(IDbContextFactory<ReviewDbContext> dbFactory)
{
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
            query = query.Where(d => d.Labels.Contains(label));
        }

        if (request.Before is { } before)
        {
            query = query.Where(d => d.UpdatedAt < before);
        }

        if (request.After is { } after)
        {
            query = query.Where(d => d.UpdatedAt > after);
        }

        var ascending = request.PageToken?.Ascending ?? request.Ascending;
        if (request.PageToken is { } token)
        {
            query = ascending
                ? query.Where(d => d.UpdatedAt > token.At || (d.UpdatedAt == token.At && string.Compare(d.DraftId, token.Id) > 0))
                : query.Where(d => d.UpdatedAt < token.At || (d.UpdatedAt == token.At && string.Compare(d.DraftId, token.Id) < 0));
        }

        query = ascending
            ? query.OrderBy(d => d.UpdatedAt).ThenBy(d => d.DraftId)
            : query.OrderByDescending(d => d.UpdatedAt).ThenByDescending(d => d.DraftId);

        var rows = await query.Take(request.Limit + 1).ToListAsync(ct);
        return ToPage(rows, request.Limit, ascending, d => new PageToken(d.UpdatedAt, d.DraftId, ascending));
    }

    internal static Page<T> ToPage<T>(List<T> rows, int limit, bool ascending, Func<T, PageToken> tokenOf)
    {
        if (rows.Count <= limit)
        {
            return new Page<T>(rows, limit, null);
        }

        rows.RemoveAt(rows.Count - 1);
        return new Page<T>(rows, limit, tokenOf(rows[^1]).Encode());
    }
}
