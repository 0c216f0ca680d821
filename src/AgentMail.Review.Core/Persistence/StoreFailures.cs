using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Persistence.Sqlite;

namespace AgentMail.Review.Core.Persistence;

/// <summary>What a failure of the store means, asked without naming the provider.</summary>
public static class StoreFailures
{
    /// <summary>
    /// The full-disk failure behind <paramref name="exception"/>, if that is what it is: the
    /// <see cref="StorageFullException"/> itself or one it wraps, or a new one for a provider's own "disk full" error
    /// that reached here without passing the store's interceptor. Null for anything else.
    /// </summary>
    public static StorageFullException? AsStorageFull(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is StorageFullException full)
            {
                return full;
            }

            if (SqliteStorageErrors.IsStorageFull(current))
            {
                return new StorageFullException(current);
            }
        }

        return null;
    }

    /// <summary>
    /// As <see cref="AsStorageFull(Exception)"/>, and also an I/O error while the store's disk has no room left
    /// (<see cref="StoreWriteHealth.IsOutOfSpace"/>): then it is the full disk speaking, not a failing one.
    /// </summary>
    public static StorageFullException? AsStorageFull(Exception exception, StoreWriteHealth health) =>
        AsStorageFull(exception)
        ?? (SqliteStorageErrors.IsIoError(exception) && health.IsOutOfSpace ? new StorageFullException(exception) : null);
}
