using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AgentMail.Review.Core.Persistence;

/// <summary>
/// Every connection's durability setting: while <see cref="WalGroupCommit"/> flushes the log for everyone, commits
/// don't wait for the disk (<c>synchronous=NORMAL</c>, safe from corruption in WAL mode); until then, or if the store
/// is not in WAL mode, each commit syncs itself (<c>synchronous=FULL</c>).
/// </summary>
public sealed class SqlitePragmas(WalGroupCommit groupCommit) : DbConnectionInterceptor
{
    private string Sql => groupCommit.Active ? "PRAGMA synchronous=NORMAL;" : "PRAGMA synchronous=FULL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Sql;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
