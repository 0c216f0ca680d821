using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentMail.Review.Core.Persistence.Sqlite.Migrations
{
    /// <summary>
    /// The console's full-text search (see <see cref="Sqlite.Fts5DraftSearch"/>): an FTS5 table over the drafts'
    /// subject, body, recipients and labels, filled from the drafts there are and kept in step by triggers. A row is
    /// found again by its draft id (a phrase in the indexed <c>draft_id</c> column), never by rowid, which SQLite may
    /// renumber when a table is rebuilt. A later migration that rebuilds <c>drafts</c> drops these triggers with it
    /// and must create them again (SearchTests fails until it does).
    /// </summary>
    public partial class DraftSearchIndex : Migration
    {
        private const string Columns = "draft_id, subject, body, people, labels";

        /// <summary>
        /// How much of a body is indexed: a supervisor searches for what a draft is about, which its first pages say;
        /// indexing whole megabyte bodies would double the store's size for them.
        /// </summary>
        private const int IndexedBodyChars = 20_000;

        private static string Values(string row) =>
            $"{row}.\"DraftId\", coalesce({row}.\"Subject\", ''), substr(coalesce({row}.\"Text\", ''), 1, {IndexedBodyChars}) || ' ' || coalesce({row}.\"Preview\", ''), "
            + $"{row}.\"To\" || ' ' || {row}.\"Cc\" || ' ' || {row}.\"Bcc\", {row}.\"Labels\"";

        private static string DeleteRowOf(string row) =>
            $"DELETE FROM drafts_search WHERE drafts_search MATCH 'draft_id : \"' || {row}.\"DraftId\" || '\"';";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"CREATE VIRTUAL TABLE drafts_search USING fts5({Columns}, tokenize = 'unicode61 remove_diacritics 2');");
            migrationBuilder.Sql($"INSERT INTO drafts_search ({Columns}) SELECT {Values("d")} FROM drafts AS d;");
            migrationBuilder.Sql($"CREATE TRIGGER drafts_search_insert AFTER INSERT ON drafts BEGIN INSERT INTO drafts_search ({Columns}) VALUES ({Values("new")}); END;");
            migrationBuilder.Sql(
                "CREATE TRIGGER drafts_search_update AFTER UPDATE OF \"Subject\", \"Text\", \"Preview\", \"To\", \"Cc\", \"Bcc\", \"Labels\" ON drafts BEGIN "
                + DeleteRowOf("old") + $" INSERT INTO drafts_search ({Columns}) VALUES ({Values("new")}); END;");
            migrationBuilder.Sql($"CREATE TRIGGER drafts_search_delete AFTER DELETE ON drafts BEGIN {DeleteRowOf("old")} END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS drafts_search_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS drafts_search_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS drafts_search_insert;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS drafts_search;");
        }
    }
}
