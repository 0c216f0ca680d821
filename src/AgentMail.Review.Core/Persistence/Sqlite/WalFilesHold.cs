using Microsoft.Data.Sqlite;

namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>
/// One connection to the store kept open, outside the pool, for the process's life. SQLite removes its write-ahead log
/// and empties the log's shared-memory index when the last connection to a file closes, and the connection pool closes
/// every idle connection after a few quiet minutes (or when anything clears the pools). The next connection must make
/// that index again, and on a full disk it cannot: every request, reads included, would then fail until space is freed.
/// Held open, the log and its index stay in place, so a full disk refuses only writes.
/// </summary>
public sealed class WalFilesHold : IDisposable
{
    private SqliteConnection? _held;

    public async Task HoldAsync(string connectionString, CancellationToken ct = default)
    {
        if (_held is not null)
        {
            return;
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        try
        {
            await connection.OpenAsync(ct);

            // A first read maps the log's index into this connection; the read ends with the statement, so the held
            // connection never stands in a checkpoint's way.
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_master";
            await command.ExecuteScalarAsync(ct);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        _held = connection;
    }

    public void Dispose()
    {
        _held?.Dispose();
        _held = null;
    }
}
