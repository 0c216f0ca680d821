using Microsoft.Data.Sqlite;

namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>The SQLite store's <c>ConnectionStrings:Review</c>: checked, defaulted, its folder created.</summary>
public static class SqliteConnectionString
{
    private const string ConnectionStringName = StoreOptions.ConnectionStringName;

    public const string DefaultConnectionString = "Data Source=data/review.db";

    /// <summary>Checks the connection string and makes sure the database file's folder exists.</summary>
    public static string Prepare(string? configured)
    {
        var connectionString = string.IsNullOrWhiteSpace(configured) ? DefaultConnectionString : configured;
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is not a valid SQLite connection string: {e.Message}", e);
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} needs a Data Source (the SQLite file).");
        }

        if (builder.DataSource != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }

        // A writer waits for another writer instead of failing at once.
        if (!connectionString.Contains("Default Timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.DefaultTimeout = 30;
        }

        return builder.ToString();
    }

    /// <summary>The folder holding the store's file (its log and journal sit next to it); null for an in-memory store.</summary>
    public static string? FolderOf(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            return null;
        }

        return Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
    }
}
