namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>
/// One server process per SQLite file. Two would each take the other's deliveries for interrupted ones and could send
/// a message twice, so the second refuses to start, naming the file. The lock is an exclusive lock on a file next to
/// the store, held for the process's life; the operating system releases it when the process ends, however it ends.
/// Several instances need the PostgreSQL store.
/// </summary>
public sealed class StoreInstanceLock : IDisposable
{
    private FileStream? _held;

    public void Acquire(string databaseFile)
    {
        if (_held is not null)
        {
            return;
        }

        var lockFile = databaseFile + ".lock";
        try
        {
            _held = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"Another AgentMail Review process is using the SQLite store {Path.GetFullPath(databaseFile)} (it holds {lockFile}). " +
                "One SQLite store serves one process; run several instances on the PostgreSQL store instead.", e);
        }
    }

    public void Dispose()
    {
        _held?.Dispose();
        _held = null;
    }
}
