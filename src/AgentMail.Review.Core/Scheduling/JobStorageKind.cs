namespace AgentMail.Review.Core.Scheduling;

/// <summary>
/// Whether Hangfire's job storage keeps its jobs across a restart. In memory (the SQLite store) it forgets them all,
/// and start-up makes every job due within the horizon again from the store. Shared storage (Hangfire.PostgreSql, with
/// the PostgreSQL store) keeps them for every instance, and making them again would only double them.
/// </summary>
public sealed record JobStorageKind(bool KeepsJobsAcrossRestarts)
{
    public static readonly JobStorageKind InMemory = new(false);

    public static readonly JobStorageKind Shared = new(true);
}
