using Microsoft.Data.Sqlite;

namespace AgentMail.Review.Core.Persistence.Sqlite.NewStore;

/// <summary>
/// A new, blank SQLite store made from <c>NewStore.sql</c>, the script of every migration (<c>dotnet ef migrations
/// script</c>), in one transaction: the same tables, triggers and migration history the migrator would leave, in a
/// tenth of the time (it builds each migration's model to plan SQLite's table rebuilds and commits each migration on
/// its own). A store that already holds anything is left to the migrator. <c>MigrationsTests</c> fails when the
/// script no longer makes exactly what the migrations make.
/// </summary>
internal static class SqliteNewStore
{
    private const string ResourceName = "AgentMail.Review.Core.Persistence.Sqlite.NewStore.sql";

    private static readonly Lazy<string> Script = new(ReadScript);

    /// <summary>Creates the schema when the file is blank; false (and nothing done) when it is not.</summary>
    public static async Task<bool> TryCreateAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using (var count = connection.CreateCommand())
        {
            count.Transaction = transaction;
            count.CommandText = "SELECT count(*) FROM sqlite_master";
            if ((long)(await count.ExecuteScalarAsync(ct))! != 0)
            {
                return false;
            }
        }

        await using (var create = connection.CreateCommand())
        {
            create.Transaction = transaction;
            create.CommandText = Script.Value;
            await create.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// The script without its own transaction statements, so all of it commits as one. Its <c>PRAGMA foreign_keys</c>
    /// lines (around table rebuilds) do nothing inside a transaction, and a blank store has no rows to check anyway.
    /// </summary>
    private static string ReadScript()
    {
        using var stream = typeof(SqliteNewStore).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);
        var lines = reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => l is not ("BEGIN TRANSACTION;" or "COMMIT;"));
        return string.Join('\n', lines);
    }
}
