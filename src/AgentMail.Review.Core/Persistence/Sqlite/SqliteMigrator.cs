using AgentMail.Review.Core.Persistence.Sqlite.NewStore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>
/// Takes the file for this process (<see cref="StoreInstanceLock"/>), turns on write-ahead logging (kept in the file once
/// set), applies pending migrations (a blank file's all at once, <see cref="SqliteNewStore"/>), then starts group commit
/// where the file really is in WAL mode, holding the log's files in place for the process's life (<see cref="WalFilesHold"/>).
/// </summary>
public sealed class SqliteMigrator(IDbContextFactory<ReviewDbContext> factory, StoreInstanceLock instanceLock, WalGroupCommit groupCommit, WalFilesHold walFiles) : IStoreMigrator
{
    /// <summary>EF Core's history table (its default name), read here directly rather than through its history repository.</summary>
    private const string HistoryTable = "__EFMigrationsHistory";

    public async Task<string> PrepareAsync(bool migrate, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        if (connection.DataSource != ":memory:")
        {
            instanceLock.Acquire(connection.DataSource);
        }

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (connection.DataSource != ":memory:")
            {
                await ScalarAsync(connection, "PRAGMA journal_mode=WAL;", ct);
            }

            // The history table read with one query: EF Core's own check (GetPendingMigrations) builds a model for that
            // table first, a fifth of a second of every start.
            var known = db.Database.GetMigrations().ToList();
            var pending = known.Except(await AppliedMigrationsAsync(connection, ct)).ToList();
            if (pending.Count > 0)
            {
                if (!migrate)
                {
                    throw new InvalidOperationException(
                        $"The SQLite store {connection.DataSource} is {pending.Count} migration(s) behind this build and Review:Store:MigrateOnStart is false: run `AgentMail.Review.Web migrate` first.");
                }

                // A blank file gets every migration from one script; whatever the script does not cover, the migrator applies.
                var scripted = pending.Count == known.Count && await SqliteNewStore.TryCreateAsync(connection, ct);
                if (!scripted || known.Except(await AppliedMigrationsAsync(connection, ct)).Any())
                {
                    await db.Database.MigrateAsync(ct);
                }
            }

            // Group commit only for a store really in WAL mode, at the file SQLite itself opened.
            var journal = (string)(await ScalarAsync(connection, "SELECT journal_mode FROM pragma_journal_mode", ct))!;
            var file = (string?)await ScalarAsync(connection, "SELECT file FROM pragma_database_list WHERE name = 'main'", ct);
            var where = string.IsNullOrEmpty(file) ? connection.DataSource : Path.GetFullPath(file);
            if (journal == "wal" && !string.IsNullOrEmpty(file))
            {
                groupCommit.Use(file);
                await walFiles.HoldAsync(connection.ConnectionString, ct);
                return $"SQLite store {where} (journal_mode={journal}, synchronous=normal, commits flushed to disk in groups before they are acknowledged)";
            }

            return $"SQLite store {where} (journal_mode={journal}, synchronous=full, each commit flushed to disk by itself)";
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<List<string>> AppliedMigrationsAsync(SqliteConnection connection, CancellationToken ct)
    {
        var applied = new List<string>();
        if (await ScalarAsync(connection, $"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{HistoryTable}'", ct) is null)
        {
            return applied;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT \"MigrationId\" FROM \"{HistoryTable}\"";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            applied.Add(reader.GetString(0));
        }

        return applied;
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(ct);
    }
}
