namespace AgentMail.Review.Core.Tests.Support;

/// <summary>The store these tests run on: SQLite (the PostgreSQL test project brings its own version of this file).</summary>
public static class TestDatabases
{
    public static ITestDatabase New(string sqliteFile) => new SqliteTestDatabase(sqliteFile);

    private sealed class SqliteTestDatabase(string file) : ITestDatabase
    {
        public IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["ConnectionStrings:Review"] = $"Data Source={file}" };

        public Task CreateAsync() => Task.CompletedTask;

        public void LetGo() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        // The file goes with the test's folder.
        public Task DropAsync() => Task.CompletedTask;
    }
}
