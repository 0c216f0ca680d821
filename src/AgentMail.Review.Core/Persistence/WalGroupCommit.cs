using Microsoft.Data.Sqlite;

namespace AgentMail.Review.Core.Persistence;

/// <summary>
/// Group commit for the write-ahead log. Connections run with <c>synchronous=NORMAL</c> (<see cref="SqlitePragmas"/>),
/// so a commit writes its frames to the log without waiting for the disk. Whoever needs the commit durable awaits
/// <see cref="FlushAsync"/>: one fsync of the log file covers every commit made before it started, so a burst of
/// writers shares one disk flush instead of queueing for one each, and each still answers only once its write is on
/// disk, as with <c>synchronous=FULL</c>.
/// </summary>
public sealed class WalGroupCommit
{
    private readonly string? _walPath;
    private readonly Lock _gate = new();
    private TaskCompletionSource _nextRound = NewRound();
    private bool _roundHasWaiters;
    private bool _flushing;

    public WalGroupCommit(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        _walPath = builder.Mode == SqliteOpenMode.Memory || builder.DataSource is ":memory:" or ""
            ? null
            : Path.GetFullPath(builder.DataSource) + "-wal";
    }

    /// <summary>Completes once every commit that finished before this call is on disk.</summary>
    public Task FlushAsync()
    {
        if (_walPath is null)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            _roundHasWaiters = true;
            if (!_flushing)
            {
                _flushing = true;
                _ = Task.Run(FlushRounds);
            }

            return _nextRound.Task;
        }
    }

    private void FlushRounds()
    {
        while (true)
        {
            TaskCompletionSource round;
            lock (_gate)
            {
                if (!_roundHasWaiters)
                {
                    _flushing = false;
                    return;
                }

                // Commits made from here on may miss this fsync; their callers wait for the next round.
                round = _nextRound;
                _nextRound = NewRound();
                _roundHasWaiters = false;
            }

            try
            {
                SyncLog();
                round.SetResult();
            }
            catch (IOException e)
            {
                round.SetException(e);
            }
            catch (UnauthorizedAccessException e)
            {
                round.SetException(e);
            }
        }
    }

    private void SyncLog()
    {
        try
        {
            using var log = new FileStream(_walPath!, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            log.Flush(flushToDisk: true);
        }
        catch (FileNotFoundException)
        {
            // No log: the last connection closed and checkpointed it into the database file, which SQLite synced.
        }
    }

    private static TaskCompletionSource NewRound() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
