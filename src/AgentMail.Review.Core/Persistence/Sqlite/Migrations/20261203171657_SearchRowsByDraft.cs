using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentMail.Review.Core.Persistence.Sqlite.Migrations
{
    /// <summary>
    /// The search index's row of each draft, kept by draft id in <c>drafts_search_rows</c>, so that an edit or a
    /// delete reaches the row by its rowid. Until now the triggers found it with a full-text query for the draft id;
    /// an id is five words to FTS5, and its first word (the time of its creation) is shared by every draft made in
    /// the same 65 seconds, so each query read the postings of all of them: a burst of 10,000 sends spent 40 % of its
    /// time there. The rowid kept is the index's own (an INTEGER PRIMARY KEY of its content table, which VACUUM
    /// keeps), not the drafts table's. A later migration that rebuilds <c>drafts_search</c> must fill this table
    /// again; one that rebuilds <c>drafts</c> must create these triggers again.
    /// </summary>
    public partial class SearchRowsByDraft : Migration
    {
        private const string Columns = "draft_id, subject, body, people, labels";

        /// <summary>As in <see cref="DraftSearchIndex"/>: the first 20,000 characters of a body are indexed.</summary>
        private const int IndexedBodyChars = 20_000;

        private const string RowOfOld = "(SELECT search_rowid FROM drafts_search_rows WHERE draft_id = old.\"DraftId\")";

        /// <summary>Right after the index's insert, whose rowid <c>last_insert_rowid()</c> gives inside a trigger.</summary>
        private const string KeepRowOfNew = "INSERT OR REPLACE INTO drafts_search_rows (draft_id, search_rowid) VALUES (new.\"DraftId\", last_insert_rowid());";

        private static string Values(string row) =>
            $"{row}.\"DraftId\", coalesce({row}.\"Subject\", ''), substr(coalesce({row}.\"Text\", ''), 1, {IndexedBodyChars}) || ' ' || coalesce({row}.\"Preview\", ''), "
            + $"{row}.\"To\" || ' ' || {row}.\"Cc\" || ' ' || {row}.\"Bcc\", {row}.\"Labels\"";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE TABLE drafts_search_rows (draft_id TEXT NOT NULL PRIMARY KEY, search_rowid INTEGER NOT NULL) WITHOUT ROWID;");
            // One row per draft: should an older build have left two rows for one draft, the first is kept and the
            // other removed, so no search finds a draft by what it no longer says.
            migrationBuilder.Sql("INSERT OR IGNORE INTO drafts_search_rows (draft_id, search_rowid) SELECT draft_id, rowid FROM drafts_search ORDER BY rowid;");
            migrationBuilder.Sql("DELETE FROM drafts_search WHERE rowid NOT IN (SELECT search_rowid FROM drafts_search_rows);");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS drafts_search_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS drafts_search_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS drafts_search_delete;");
            migrationBuilder.Sql(
                $"CREATE TRIGGER drafts_search_insert AFTER INSERT ON drafts BEGIN INSERT INTO drafts_search ({Columns}) VALUES ({Values("new")}); "
                + $"{KeepRowOfNew} END;");
            migrationBuilder.Sql(
                "CREATE TRIGGER drafts_search_update AFTER UPDATE OF \"Subject\", \"Text\", \"Preview\", \"To\", \"Cc\", \"Bcc\", \"Labels\" ON drafts BEGIN "
                + $"DELETE FROM drafts_search WHERE rowid = {RowOfOld}; INSERT INTO drafts_search ({Columns}) VALUES ({Values("new")}); {KeepRowOfNew} END;");
            migrationBuilder.Sql(
                $"CREATE TRIGGER drafts_search_delete AFTER DELETE ON drafts BEGIN DELETE FROM drafts_search WHERE rowid = {RowOfOld}; "
                + "DELETE FROM drafts_search_rows WHERE draft_id = old.\"DraftId\"; END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            const string rowOf = "DELETE FROM drafts_search WHERE drafts_search MATCH 'draft_id : \"' || old.\"DraftId\" || '\"';";
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS drafts_search_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS drafts_search_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS drafts_search_delete;");
            migrationBuilder.Sql($"CREATE TRIGGER drafts_search_insert AFTER INSERT ON drafts BEGIN INSERT INTO drafts_search ({Columns}) VALUES ({Values("new")}); END;");
            migrationBuilder.Sql(
                "CREATE TRIGGER drafts_search_update AFTER UPDATE OF \"Subject\", \"Text\", \"Preview\", \"To\", \"Cc\", \"Bcc\", \"Labels\" ON drafts BEGIN "
                + rowOf + $" INSERT INTO drafts_search ({Columns}) VALUES ({Values("new")}); END;");
            migrationBuilder.Sql($"CREATE TRIGGER drafts_search_delete AFTER DELETE ON drafts BEGIN {rowOf} END;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS drafts_search_rows;");
        }
    }
}
