using Microsoft.Data.Sqlite;

namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>How SQLite says the store is out of space.</summary>
internal static class SqliteStorageErrors
{
    // SQLITE_FULL: a write to the database, its write-ahead log or a journal found no room (the unix VFS answers
    // ENOSPC and short writes with it), or the database reached max_page_count. Either way no write can go in.
    private const int SqliteFull = 13;

    // SQLITE_IOERR: among its causes, a disk with no room for the write-ahead log's shared-memory index to grow
    // (IOERR_SHMSIZE), which a connection meets as soon as it opens a store in WAL mode on a full disk.
    private const int SqliteIoError = 10;

    public static bool IsStorageFull(Exception exception) => exception is SqliteException { SqliteErrorCode: SqliteFull };

    public static bool IsIoError(Exception exception) => exception is SqliteException { SqliteErrorCode: SqliteIoError };
}
