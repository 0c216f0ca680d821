using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Audit;

/// <summary>What happened to a draft, oldest first; readable after the draft was sent or deleted.</summary>
public sealed class AuditTrail(IDbContextFactory<ReviewDbContext> dbFactory)
{
    public async Task<IReadOnlyList<AuditEntry>> ForDraftAsync(string draftId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AuditEntries.AsNoTracking().Where(a => a.DraftId == draftId).OrderBy(a => a.Id).ToListAsync(ct);
    }
}
