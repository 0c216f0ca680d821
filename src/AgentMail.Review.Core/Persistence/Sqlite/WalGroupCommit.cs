using Microsoft.Extensions.Logging;

namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>
/// Group commit for the write-ahead log. Once the store is known to be in WAL mode (<see cref="Use"/>), connections
/// run with <c>synchronous=NORMAL</c> (<see cref="SqlitePragmas"/>), so a commit writes its frames to the log without
/// waiting for the disk. Whoever needs the commit durable awaits <see cref="FlushAsync"/>: one fsync of the log file
/// covers every commit made before it started, so a burst of writers shares one disk flush instead of queueing for
/// one each, and each still answers only once its write is on disk, as with <c>synchronous=FULL</c>.
/// </summary>
public sealed partial class WalGroupCommit(ILogger<WalGroupCommit> logger)
{
    private readonly Lock _gate = new();
    private volatile string? _logPath;
    private TaskCompletionSource _nextRound = NewRound();
    private bool _roundHasWaiters;
    private bool _flushing;

    /// <summary>True once commits are flushed here; until then every connection syncs its own commits (FULL).</summary>
    public bool Active => _logPath is not null;

    /// <summary>Starts group commit for the store file SQLite reports (its write-ahead log sits next to it).</summary>
    public void Use(string databaseFile) => _logPath = databaseFile + "-wal";

    /// <summary>Completes once every commit that finished before this call is on disk.</summary>
    public Task FlushAsync()
    {
        if (_logPath is null)
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
                SyncLog(_logPath!);
            }
            catch (Exception e)
            {
                // After a failed fsync the kernel may drop the unwritten pages and report success next time, so no
                // later answer could be trusted. Stop here, as databases do; on restart SQLite recovers from the log
                // and drafts caught mid-send become failed for a person to look at.
                LogSyncFailed(logger, e, _logPath!);
                Environment.FailFast($"AgentMail Review stopped: the SQLite write-ahead log {_logPath} could not be flushed to disk ({e.Message})", e);
            }

            round.SetResult();
        }
    }

    private static void SyncLog(string path)
    {
        try
        {
            using var log = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            log.Flush(flushToDisk: true);
        }
        catch (FileNotFoundException)
        {
            // No log: the last connection closed and checkpointed it into the database file, which SQLite synced.
        }
    }

    private static TaskCompletionSource NewRound() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Flushing the SQLite write-ahead log {LogPath} to disk failed; stopping")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception, string logPath);
}
