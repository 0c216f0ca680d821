using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Persistence;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AgentMail.Review.Core.Tests.Storage;

/// <summary>
/// Start-up does not compare the model with the migrations (it costs every start a second); this is where a model
/// change without its migration is caught.
/// </summary>
public sealed class MigrationsTests
{
    [Fact]
    public async Task Every_model_change_has_its_migration()
    {
        await using var store = await TestStore.CreateAsync();
        await using var db = store.OpenDb();

        Assert.False(db.Database.HasPendingModelChanges(),
            "the model differs from the last migration's snapshot: add one with `dotnet ef migrations add <Name>` in src/AgentMail.Review.Core");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task A_store_opened_again_is_already_up_to_date_and_keeps_its_rows()
    {
        await using var first = await TestStore.CreateAsync();
        var inbox = await first.CreateInboxAsync("kept");
        await using var again = await TestStore.ReopenAsync(first);
        await using var db = again.OpenDb();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.True(await db.Inboxes.AnyAsync(i => i.InboxId == inbox.InboxId));
    }

    [Fact]
    public async Task A_new_store_made_from_the_script_is_the_store_the_migrations_make()
    {
        // The server's way: a blank file gets NewStore.sql in one transaction.
        await using var fromScript = await TestStore.CreateAsync();

        // The migrator's way, one migration after another, on another blank file.
        var migratedFile = Path.Combine(Path.GetDirectoryName(fromScript.DatabasePath)!, "migrated.db");
        var options = new DbContextOptionsBuilder<ReviewDbContext>().UseSqlite($"Data Source={migratedFile};Pooling=False").Options;
        await using (var db = new ReviewDbContext(options))
        {
            await db.Database.MigrateAsync();
        }

        var expected = await SchemaOfAsync(migratedFile);
        var actual = await SchemaOfAsync(fromScript.DatabasePath);
        Assert.Contains(expected, row => row.StartsWith("trigger drafts_search_insert", StringComparison.Ordinal));
        Assert.Contains(expected, row => row.StartsWith("history ", StringComparison.Ordinal));
        Assert.True(expected.SequenceEqual(actual),
            "a store made from Persistence/Sqlite/NewStore/NewStore.sql differs from one the migrations make; generate the script again "
            + $"(see the README there). Only the migrations make: {string.Join("; ", expected.Except(actual))}. Only the script makes: {string.Join("; ", actual.Except(expected))}");
    }

    [Fact]
    public async Task A_file_that_already_holds_tables_is_migrated_not_scripted_and_keeps_them()
    {
        using var own = new OwnFolder();
        var folder = own.Path;
        var file = Path.Combine(folder, "review.db");
        await using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE operator_notes (note TEXT); INSERT INTO operator_notes VALUES ('kept');";
            await command.ExecuteNonQueryAsync();
        }

        await using var store = await TestStore.CreateInAsync(folder);
        await using var db = store.OpenDb();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal("kept", await db.Database.SqlQueryRaw<string>("SELECT note AS Value FROM operator_notes").SingleAsync());
        var inbox = await store.CreateInboxAsync("after");
        Assert.True(await db.Inboxes.AnyAsync(i => i.InboxId == inbox.InboxId));
    }

    [Fact]
    public async Task A_store_made_by_an_earlier_build_gets_the_later_migrations_and_keeps_its_rows()
    {
        using var own = new OwnFolder();
        var folder = own.Path;
        var file = Path.Combine(folder, "review.db");
        var options = new DbContextOptionsBuilder<ReviewDbContext>().UseSqlite($"Data Source={file};Pooling=False").Options;
        string earlier;
        await using (var db = new ReviewDbContext(options))
        {
            var migrations = db.Database.GetMigrations().ToList();
            earlier = migrations[^3];
            await db.GetService<IMigrator>().MigrateAsync(earlier);
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO inboxes (\"InboxId\", \"ReviewRequired\", \"CreatedAt\", \"UpdatedAt\") VALUES ('old@example.com', 0, 0, 0)");
        }

        await using var store = await TestStore.CreateInAsync(folder);
        await using var reopened = store.OpenDb();

        Assert.Empty(await reopened.Database.GetPendingMigrationsAsync());
        Assert.True(await reopened.Inboxes.AnyAsync(i => i.InboxId == "old@example.com"), $"the inbox made at {earlier} is gone");
        var inbox = await store.CreateInboxAsync("after");
        Assert.True(await reopened.Inboxes.AnyAsync(i => i.InboxId == inbox.InboxId));
    }

    [Fact]
    public async Task Drafts_indexed_for_search_by_an_earlier_build_are_found_only_by_what_they_say_through_edits_and_deletion()
    {
        using var own = new OwnFolder();
        var file = Path.Combine(own.Path, "review.db");
        var options = new DbContextOptionsBuilder<ReviewDbContext>().UseSqlite($"Data Source={file};Pooling=False").Options;
        await using (var db = new ReviewDbContext(options))
        {
            // The last migration before the index's rows were kept by draft id: these drafts are indexed the old way.
            await db.GetService<IMigrator>().MigrateAsync("20261201150609_DraftSearchIndex");
            db.Inboxes.Add(new Inboxes.Inbox { InboxId = "old@example.com" });
            foreach (var (id, subject) in new[] { ("0193d6e2-0000-7000-8000-000000000001", "apples"), ("0193d6e2-0000-7000-8000-000000000002", "pears") })
            {
                db.Drafts.Add(new Draft { DraftId = id, InboxId = "old@example.com", ThreadId = $"thread-{id}", Subject = $"Draft about {subject}", Version = 1 });
            }

            await db.SaveChangesAsync();

            // A second row for the first draft, with words it does not say (as a lost delete could have left).
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO drafts_search (draft_id, subject, body, people, labels) VALUES ('0193d6e2-0000-7000-8000-000000000001', 'Draft about bananas', '', '', '')");
        }

        await using var store = await TestStore.CreateInAsync(own.Path);
        var drafts = store.Get<DraftsService>();
        var queue = store.Get<ReviewQueue>();
        async Task<string[]> Found(string text) =>
            (await queue.PageAsync(new QueueFilter { Text = text }, QueueSort.UpdatedNewest, 50, null)).Rows.Select(r => r.Subject ?? "").ToArray();
        Assert.Equal(["Draft about apples"], await Found("apples"));
        Assert.Empty(await Found("bananas"));

        await drafts.UpdateAsync(TestActors.Agent, "old@example.com", "0193d6e2-0000-7000-8000-000000000001", new DraftPatch { Subject = "Draft about plums" });
        await drafts.DeleteAsync(TestActors.Agent, "old@example.com", "0193d6e2-0000-7000-8000-000000000002", 1);

        Assert.Empty(await Found("apples"));
        Assert.Equal(["Draft about plums"], await Found("plums"));
        Assert.Empty(await Found("pears"));
        await using var reopened = store.OpenDb();
        Assert.Equal(1, await reopened.Database.SqlQueryRaw<int>("SELECT count(*) AS Value FROM drafts_search").SingleAsync());
    }

    /// <summary>Every table, index and trigger with its SQL, and the migration history, one line each in a fixed order.</summary>
    private static async Task<List<string>> SchemaOfAsync(string file)
    {
        var rows = new List<string>();
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using (var schema = connection.CreateCommand())
        {
            // The migrator's own lock table is made whenever it runs, and the script does not need it.
            schema.CommandText = "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master WHERE name <> '__EFMigrationsLock' ORDER BY type, name";
            await using var reader = await schema.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add($"{reader.GetString(0)} {reader.GetString(1)} on {reader.GetString(2)}: {reader.GetString(3)}");
            }
        }

        await using (var history = connection.CreateCommand())
        {
            history.CommandText = "SELECT \"MigrationId\", \"ProductVersion\" FROM \"__EFMigrationsHistory\" ORDER BY 1";
            await using var reader = await history.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add($"history {reader.GetString(0)} {reader.GetString(1)}");
            }
        }

        return rows;
    }

    /// <summary>A folder for a store the test makes itself, removed once the test (and its store) are done.</summary>
    private sealed class OwnFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "amr-tests", Guid.NewGuid().ToString("N"))).FullName;

        public void Dispose()
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(Path, recursive: true);
        }
    }
}
