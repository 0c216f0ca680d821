using System.Globalization;

namespace AgentMail.Review.Core.Drafts;

/// <summary>
/// Several drafts, each at its own version, matched by one statement: the store compares "id:version" with a list
/// of them, next to the id itself, which keeps the primary key's index in use.
/// </summary>
public static class DraftsAtVersions
{
    public static IQueryable<Draft> AtVersions(this IQueryable<Draft> drafts, IEnumerable<(string DraftId, long Version)> wanted)
    {
        var list = wanted.ToList();
        var ids = list.Select(w => w.DraftId).ToList();
        var keys = list.Select(w => w.DraftId + ":" + w.Version.ToString(CultureInfo.InvariantCulture)).ToList();
        return drafts.Where(d => ids.Contains(d.DraftId) && keys.Contains(d.DraftId + ":" + d.Version.ToString()));
    }
}
