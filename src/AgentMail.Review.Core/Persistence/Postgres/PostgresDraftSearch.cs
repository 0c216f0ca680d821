using AgentMail.Review.Core.Drafts;
using Microsoft.EntityFrameworkCore;
using NpgsqlTypes;

namespace AgentMail.Review.Core.Persistence.Postgres;

/// <summary>
/// Draft search on PostgreSQL's full-text search: the drafts' <c>SearchVector</c> column (a trigger keeps it, see the
/// migration) behind a GIN index, matched by every typed word as a prefix. Words are runs of letters and digits, as
/// the trigger cuts the text, so nothing typed is read as query syntax — the same words match as on SQLite's FTS5.
/// </summary>
public sealed class PostgresDraftSearch : IDraftTextSearch
{
    public IQueryable<string>? Matching(ReviewDbContext db, string text)
    {
        var query = TsQuery(text);
        return query is null
            ? null
            : db.Drafts.Where(d => EF.Property<NpgsqlTsVector>(d, PostgresReviewDbContext.SearchVector).Matches(EF.Functions.ToTsQuery("simple", query)))
                .Select(d => d.DraftId);
    }

    public static string? TsQuery(string text)
    {
        var words = SearchWords.Of(text);
        return words.Count == 0 ? null : string.Join(" & ", words.Select(w => $"{w.ToLowerInvariant()}:*"));
    }
}
