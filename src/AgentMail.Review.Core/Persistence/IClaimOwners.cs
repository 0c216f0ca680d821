namespace AgentMail.Review.Core.Persistence;

/// <summary>
/// Whether the instance named on a claim still runs. A claim of a live instance is its delivery in progress and is
/// never touched by another; a claim of one that is gone was cut off mid-delivery.
/// </summary>
public interface IClaimOwners
{
    /// <summary>The owners among <paramref name="owners"/> that are no longer running.</summary>
    Task<IReadOnlySet<string>> GoneAsync(IReadOnlyCollection<string> owners, CancellationToken ct = default);
}
