using System.Text;
using AgentMail.Review.Core.Drafts;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>
/// Draft search on SQLite's FTS5: the <c>drafts_search</c> table, kept in step with <c>drafts</c> by triggers (see the
/// DraftSearchIndex migration), answers a MATCH from its index instead of scanning every draft with LIKE.
/// </summary>
public sealed class Fts5DraftSearch : IDraftTextSearch
{
    /// <summary>More words than anyone types into a search box; the rest are ignored rather than refused.</summary>
    private const int MaxWords = 16;

    public IQueryable<string>? Matching(ReviewDbContext db, string text)
    {
        var expression = MatchExpression(text);
        return expression is null
            ? null
            : db.Database.SqlQuery<string>($"SELECT draft_id AS \"Value\" FROM drafts_search WHERE drafts_search MATCH {expression}");
    }

    /// <summary>
    /// Each word of the text as a quoted prefix (<c>"bob"*</c>), all required, in the searchable columns only. Words
    /// are runs of letters and digits, the same as the index's tokenizer makes them, so nothing the supervisor types
    /// (quotes, <c>*</c>, <c>:</c>, <c>NEAR</c>, <c>OR</c>) is read as FTS5 syntax.
    /// </summary>
    public static string? MatchExpression(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in text + " ")
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }

        return words.Count == 0
            ? null
            : string.Join(" AND ", words.Distinct(StringComparer.OrdinalIgnoreCase).Take(MaxWords).Select(w => $"{{subject body people labels}} : \"{w}\"*"));
    }
}
