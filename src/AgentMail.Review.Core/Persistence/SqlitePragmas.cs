using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AgentMail.Review.Core.Persistence;

/// <summary>
/// Every connection commits without waiting for the disk (<c>synchronous=NORMAL</c>, safe from corruption in WAL
/// mode); <see cref="WalGroupCommit"/> makes the commits durable before anyone is told they happened.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    public const string Synchronous = "NORMAL";

    private const string Sql = $"PRAGMA synchronous={Synchronous};";

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
