using Npgsql;

namespace AgentMail.Review.Core.Persistence.Postgres;

/// <summary>An owner is gone when its presence lock (<see cref="PostgresInstancePresence"/>) can be taken.</summary>
public sealed class PostgresClaimOwners(NpgsqlDataSource dataSource) : IClaimOwners
{
    public async Task<IReadOnlySet<string>> GoneAsync(IReadOnlyCollection<string> owners, CancellationToken ct = default)
    {
        var gone = new HashSet<string>();
        if (owners.Count == 0)
        {
            return gone;
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        foreach (var owner in owners)
        {
            await using var probe = new NpgsqlCommand($"SELECT {PostgresInstancePresence.TryLockSql("$1")}", connection);
            probe.Parameters.AddWithValue(PostgresInstancePresence.KeyOf(owner));
            if (await probe.ExecuteScalarAsync(ct) is true)
            {
                gone.Add(owner);
            }
        }

        return gone;
    }
}
