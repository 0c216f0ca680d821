using AgentMail.Review.Core.Delivery;

namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>
/// One process per SQLite file (<see cref="StoreInstanceLock"/>): every owner but this process is gone.
/// </summary>
public sealed class SqliteClaimOwners(SendingInstance instance) : IClaimOwners
{
    public Task<IReadOnlySet<string>> GoneAsync(IReadOnlyCollection<string> owners, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlySet<string>>(owners.Where(o => o != instance.Id).ToHashSet());
}
