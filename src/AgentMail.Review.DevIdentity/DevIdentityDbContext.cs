using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.DevIdentity;

/// <summary>OpenIddict's applications, authorizations and tokens, in a private in-memory SQLite database.</summary>
public sealed class DevIdentityDbContext(DbContextOptions<DevIdentityDbContext> options) : DbContext(options);

/// <summary>
/// Keeps the in-memory database alive for the life of the host: SQLite drops a shared in-memory database when its
/// last connection closes. Each host gets its own name, so test hosts in one process never share one.
/// </summary>
public sealed class DevIdentityDatabase : IDisposable
{
    private readonly SqliteConnection _keepAlive;

    public DevIdentityDatabase()
    {
        ConnectionString = $"Data Source=agentmail-review-dev-identity-{Guid.NewGuid():N};Mode=Memory;Cache=Shared";
        _keepAlive = new SqliteConnection(ConnectionString);
        _keepAlive.Open();
    }

    public string ConnectionString { get; }

    public void Dispose() => _keepAlive.Dispose();
}
