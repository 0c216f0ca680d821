using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AgentMail.Review.Core.Persistence.Postgres;

/// <summary>
/// Applies this folder's migrations (EF takes PostgreSQL's migration lock, so two instances told to migrate at once
/// apply them once), or refuses to start on a schema this build does not know yet.
/// </summary>
public sealed class PostgresMigrator(IDbContextFactory<PostgresReviewDbContext> factory, NpgsqlDataSource dataSource) : IStoreMigrator
{
    public async Task<string> PrepareAsync(bool migrate, CancellationToken ct = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        var where = $"PostgreSQL store {builder.Database} on {builder.Host}:{builder.Port}";
        await using var db = await factory.CreateDbContextAsync(ct);
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            if (!migrate)
            {
                throw new InvalidOperationException(
                    $"The {where} is {pending.Count} migration(s) behind this build ({pending[0]} first). Run `dotnet AgentMail.Review.Web.dll migrate` once, "
                    + "or start one instance with Review:Store:MigrateOnStart=true.");
            }

            await db.Database.MigrateAsync(ct);
            return $"{where} (migrated: {string.Join(", ", pending)})";
        }

        return $"{where} (schema current)";
    }
}
