using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>
/// Every connection's durability setting: while <see cref="WalGroupCommit"/> flushes the log for everyone, commits
/// don't wait for the disk (<c>synchronous=NORMAL</c>, safe from corruption in WAL mode); until then, or if the store
/// is not in WAL mode, each commit syncs itself (<c>synchronous=FULL</c>).
/// </summary>
/// <remarks>
/// This is the first statement a connection runs, so on a full disk it is where SQLite first fails (if opening did
/// not already), often with an I/O error rather than "disk full" (its shared-memory index cannot grow). Either is
/// reported as the full disk it is.
/// </remarks>
public sealed class SqlitePragmas(WalGroupCommit groupCommit, StoreWriteHealth health) : DbConnectionInterceptor
{
    private string Sql => groupCommit.Active ? "PRAGMA synchronous=NORMAL;" : "PRAGMA synchronous=FULL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Sql;
        try
        {
            command.ExecuteNonQuery();
        }
        catch (Exception e) when (AsStorageFull(e) is { } full)
        {
            throw full;
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Sql;
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (AsStorageFull(e) is { } full)
        {
            throw full;
        }
    }

    // Opening itself can meet the full disk first (SQLite creating or growing the log's shared-memory index).
    public override void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData)
    {
        if (AsStorageFull(eventData.Exception) is { } full)
        {
            throw full;
        }
    }

    public override Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ConnectionFailed(connection, eventData);
        return Task.CompletedTask;
    }

    private Common.StorageFullException? AsStorageFull(Exception e)
    {
        var full = StoreFailures.AsStorageFull(e, health);
        if (full is not null)
        {
            health.WriteFailedForLackOfSpace(full);
        }

        return full;
    }
}
