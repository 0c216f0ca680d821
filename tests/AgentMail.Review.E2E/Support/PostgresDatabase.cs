using System.Net.Sockets;
using Npgsql;

namespace AgentMail.Review.E2E.Support;

/// <summary>
/// A fresh, empty PostgreSQL database for one test, on the server named by <c>REVIEW_TEST_POSTGRES</c> (an Npgsql
/// connection string for a role that may CREATEDB; <c>.ci/services</c> starts one and exports it). Dropped, with any
/// connection still open to it, when disposed.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public const string Variable = "REVIEW_TEST_POSTGRES";

    private readonly string _admin;

    /// <summary>The test's own reads, unpooled, so they hold nothing open once done.</summary>
    private readonly string _ownReads;

    private PostgresDatabase(string admin, string name)
    {
        _admin = admin;
        Name = name;
        // The server pools its connections, as it does in production: without a pool every query would open a new
        // connection (a backend process and a SCRAM handshake each), which made the servers' CPU the tests' bottleneck.
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true }.ConnectionString;
        _ownReads = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = false }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>For the server (<c>ConnectionStrings:Review</c>).</summary>
    public string ConnectionString { get; }

    /// <summary>The admin connection string from <c>REVIEW_TEST_POSTGRES</c>, failing with what to do when it is unset.</summary>
    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured
            ? configured
            : throw new InvalidOperationException(
                $"{Variable} is not set. These tests need PostgreSQL: run `. .ci/services` (it installs and starts PostgreSQL and Redis and exports "
                + $"{Variable} and {RedisServer.Variable}), or point {Variable} at a server, e.g. \"Host=127.0.0.1;Port=55432;Username=review;Password=review\".");

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var admin = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        var name = $"amr_e2e_{Guid.NewGuid():N}"[..24];
        await using var connection = new NpgsqlConnection(admin);
        try
        {
            await connection.OpenAsync();
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"PostgreSQL is not reachable with {Variable} (\"{Redacted(admin)}\"): {e.Message}. Start it with `. .ci/services`, which also exports {Variable}.", e);
        }

        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return new PostgresDatabase(admin, name);
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_ownReads);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the database has a table of this name (in any schema but the system's).</summary>
    public async Task<bool> HasTableAsync(string table) =>
        await ScalarAsync($"SELECT count(*) FROM information_schema.tables WHERE table_name = '{table.Replace("'", "''")}' AND table_schema NOT IN ('pg_catalog', 'information_schema')") > 0;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(_admin);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // A leftover test database is harmless; failing a test over it would not be.
        }
    }

    private static string Redacted(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(builder.Password))
        {
            builder.Password = "***";
        }

        return builder.ConnectionString;
    }
}
