namespace AgentMail.Review.Web.Instances;

/// <summary>
/// Whether other instances may commit to this instance's store: on PostgreSQL they may; a SQLite file belongs to
/// one process (it refuses a second), so its commits are all this instance's own.
/// </summary>
public static class SharedStore
{
    public static bool IsShared(IConfiguration configuration) =>
        string.Equals(configuration["Review:Store:Provider"], "Postgres", StringComparison.OrdinalIgnoreCase);
}
