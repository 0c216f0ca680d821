using AgentMail.Review.Core.Drafts;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Persistence.Postgres;

/// <summary>
/// Draft search on PostgreSQL's full-text search: the drafts' <c>search_vector</c> column (a trigger keeps it, see the
/// Initial migration) behind a GIN index, matched by every typed word (<see cref="SearchWords"/>) as a prefix. The
/// trigger cuts text into the same words, so the same searches match as on SQLite's FTS5.
/// </summary>
public sealed class PostgresDraftSearch : IDraftTextSearch
{
    public IQueryable<string>? Matching(ReviewDbContext db, string text)
    {
        var query = TsQuery(text);
        return query is null
            ? null
            : db.Database.SqlQuery<string>($"SELECT \"DraftId\" AS \"Value\" FROM drafts WHERE search_vector @@ to_tsquery('simple', unaccent({query}))");
    }

    public static string? TsQuery(string text)
    {
        var words = SearchWords.Of(text);
        return words.Count == 0 ? null : string.Join(" & ", words.Select(w => $"{w.ToLowerInvariant()}:*"));
    }
}
