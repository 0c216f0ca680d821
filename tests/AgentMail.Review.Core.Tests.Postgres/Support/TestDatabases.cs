using AgentMail.Review.Core.Persistence.Postgres;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AgentMail.Review.Core.Tests.Support;

/// <summary>
/// The store these tests run on: a fresh PostgreSQL database per test, copied from a template migrated once per test
/// run (a copy takes a fraction of what migrating each database would), on the server REVIEW_TEST_POSTGRES names.
/// </summary>
public static class TestDatabases
{
    public const string ServerVariable = "REVIEW_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);

    public static string Server =>
        Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } server
            ? server
            : throw new InvalidOperationException(
                $"{ServerVariable} is not set: these tests need a PostgreSQL server (`source .ci/services` starts one and sets it, e.g. Host=127.0.0.1;Port=55432;Username=review;Password=review).");

    public static ITestDatabase New(string sqliteFile) => new PostgresTestDatabase($"amr_test_{Guid.NewGuid():N}");

    public static string ConnectionString(string database) => new NpgsqlConnectionStringBuilder(Server) { Database = database }.ConnectionString;

    public static async Task ExecuteAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(ConnectionString("postgres"));
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Drops a test's database. A connection a test left behind (a send still finishing as its store stopped) ends
    /// with it where the role may end other sessions; otherwise the drop is tried again, then left for the next run.
    /// </summary>
    private static async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            try
            {
                await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                return;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse)
            {
                try
                {
                    await ExecuteAsync($"DROP DATABASE IF EXISTS {name}");
                    return;
                }
                catch (PostgresException again) when (again.SqlState == PostgresErrorCodes.ObjectInUse)
                {
                    await Task.Delay(200);
                }
            }
        }
    }

    private static async Task<string> CreateTemplateAsync()
    {
        // What an earlier run could not drop goes now.
        await using (var admin = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var leftovers = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE 'amr\\_test\\_%' OR datname LIKE 'amr\\_template\\_%'", admin);
            var names = new List<string>();
            await using (var reader = await leftovers.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    names.Add(reader.GetString(0));
                }
            }

            foreach (var leftover in names)
            {
                await DropDatabaseAsync(leftover);
            }
        }

        var name = $"amr_template_{Environment.ProcessId}";
        await ExecuteAsync($"CREATE DATABASE {name}");
        var options = new DbContextOptionsBuilder<PostgresReviewDbContext>().UseNpgsql(ConnectionString(name)).Options;
        await using (var db = new PostgresReviewDbContext(options))
        {
            await db.Database.MigrateAsync();
        }

        // A template must have no connection open while it is copied.
        NpgsqlConnection.ClearAllPools();
        return name;
    }

    private sealed class PostgresTestDatabase(string name) : ITestDatabase
    {
        public IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Review:Store:Provider"] = "Postgres",
            ["Review:Store:MigrateOnStart"] = "true",
            ["ConnectionStrings:Review"] = ConnectionString(name),
        };

        public async Task CreateAsync() => await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {await Template.Value}");

        public void LetGo()
        {
        }

        public Task DropAsync() => DropDatabaseAsync(name);
    }
}
