namespace AgentMail.Review.Core.Persistence;

/// <summary>Brings the store to the current schema, or checks that it is there; each provider has its own.</summary>
public interface IStoreMigrator
{
    /// <summary>
    /// Readies the store for this instance before it serves: applies pending migrations when <paramref name="migrate"/>,
    /// otherwise refuses to start on a schema that is behind. Returns a line for the start-up log.
    /// </summary>
    Task<string> PrepareAsync(bool migrate, CancellationToken ct = default);
}
