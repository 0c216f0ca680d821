using AgentMail.Review.Core.Persistence.Sqlite.NewStore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>
/// Takes the file for this process (<see cref="StoreInstanceLock"/>), turns on write-ahead logging (kept in the file once
/// set), applies pending migrations (a blank file's all at once, <see cref="SqliteNewStore"/>), then starts group commit
/// where the file really is in WAL mode.
/// </summary>
public sealed class SqliteMigrator(IDbContextFactory<ReviewDbContext> factory, StoreInstanceLock instanceLock, WalGroupCommit groupCommit) : IStoreMigrator
{
    public async Task<string> PrepareAsync(bool migrate, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        if (connection.DataSource != ":memory:")
        {
            instanceLock.Acquire(connection.DataSource);
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.CloseConnectionAsync();
        }

        // Opening an up-to-date store reads the history table only.
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            if (!migrate)
            {
                throw new InvalidOperationException(
                    $"The SQLite store {connection.DataSource} is {pending.Count} migration(s) behind this build and Review:Store:MigrateOnStart is false: run `AgentMail.Review.Web migrate` first.");
            }

            // A blank file gets every migration from one script; anything the script does not cover, the migrator applies.
            var allPending = pending.Count == db.Database.GetMigrations().Count();
            if (!allPending || !await SqliteNewStore.TryCreateAsync(db, ct) || (await db.Database.GetPendingMigrationsAsync(ct)).Any())
            {
                await db.Database.MigrateAsync(ct);
            }
        }

        // Group commit only for a store really in WAL mode, at the file SQLite itself opened.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var journal = await db.Database.SqlQueryRaw<string>("SELECT journal_mode AS Value FROM pragma_journal_mode").SingleAsync(ct);
            var file = await db.Database.SqlQueryRaw<string>("SELECT file AS Value FROM pragma_database_list WHERE name = 'main'").SingleAsync(ct);
            var where = string.IsNullOrEmpty(file) ? connection.DataSource : Path.GetFullPath(file);
            if (journal == "wal" && !string.IsNullOrEmpty(file))
            {
                groupCommit.Use(file);
                return $"SQLite store {where} (journal_mode={journal}, synchronous=normal, commits flushed to disk in groups before they are acknowledged)";
            }

            return $"SQLite store {where} (journal_mode={journal}, synchronous=full, each commit flushed to disk by itself)";
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
