using AgentMail.Review.Core.Drafts;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>
/// Draft search on SQLite's FTS5: the <c>drafts_search</c> table, kept in step with <c>drafts</c> by triggers that
/// reach a draft's row by the rowid kept for it in <c>drafts_search_rows</c> (see the DraftSearchIndex and
/// SearchRowsByDraft migrations), answers a MATCH from its index instead of scanning every draft with LIKE.
/// </summary>
public sealed class Fts5DraftSearch : IDraftTextSearch
{
    public IQueryable<string>? Matching(ReviewDbContext db, string text)
    {
        var expression = MatchExpression(text);
        return expression is null
            ? null
            : db.Database.SqlQuery<string>($"SELECT draft_id AS \"Value\" FROM drafts_search WHERE drafts_search MATCH {expression}");
    }

    /// <summary>Each word of the text (<see cref="SearchWords"/>) as a quoted prefix (<c>"bob"*</c>), all required, in the searchable columns only.</summary>
    public static string? MatchExpression(string text)
    {
        var words = SearchWords.Of(text);
        return words.Count == 0 ? null : string.Join(" AND ", words.Select(w => $"{{subject body people labels}} : \"{w}\"*"));
    }
}
