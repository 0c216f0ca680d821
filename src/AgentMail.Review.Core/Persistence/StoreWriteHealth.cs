using AgentMail.Review.Core.Common;
using Microsoft.Extensions.Logging;

namespace AgentMail.Review.Core.Persistence;

/// <summary>Whether the store takes writes, for the health check: <see cref="Writable"/>, and why.</summary>
public sealed record StoreWriteStatus(bool Writable, string Description);

/// <summary>
/// Whether the store takes writes, as far as disk space goes. A write refused for lack of space marks the store full;
/// the next write that commits, or enough free space on the store's filesystem, marks it writable again, so health
/// recovers on its own once space is back, without a restart.
/// </summary>
/// <remarks>
/// Why this and not a probe write: the only honest probe is a real commit, which needs a table to write into (a
/// migration) and, on a full disk, would be one more failing writer queueing for the write lock. Reading the
/// filesystem's free space (statvfs) writes nothing, takes microseconds, and cannot itself fail for lack of space, but
/// it only approximates "a write would fit" — so it is consulted only after a real write has failed for space, never to
/// declare a store full on its own (on ext4 root may still write into the blocks reserved for it while ordinary free
/// space reads 0). "Enough" is <see cref="RecoveryFreeBytes"/>: far more than an ordinary write needs (a draft with its
/// audit rows and index pages is a few pages); a write larger than what is free still answers storage full and marks
/// the store full again.
/// </remarks>
public sealed partial class StoreWriteHealth(string? storeFolder, TimeProvider clock, ILogger<StoreWriteHealth> logger)
{
    public const long RecoveryFreeBytes = 1024 * 1024;

    private sealed record Full(DateTime Since);

    private Full? _full;

    /// <summary>A write was refused because the disk is full.</summary>
    public void WriteFailedForLackOfSpace(StorageFullException failure)
    {
        var full = new Full(clock.GetUtcNow().UtcDateTime);
        if (Interlocked.CompareExchange(ref _full, full, null) is null)
        {
            LogFull(logger, failure, storeFolder ?? "(no folder)", FreeBytes()?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown");
        }
    }

    /// <summary>A write committed; called on every commit, so it costs one read while the store is writable.</summary>
    public void WriteSucceeded()
    {
        if (Volatile.Read(ref _full) is { } full && Interlocked.CompareExchange(ref _full, null, full) == full)
        {
            LogRecovered(logger, "a write committed", full.Since);
        }
    }

    public StoreWriteStatus Check()
    {
        if (Volatile.Read(ref _full) is not { } full)
        {
            return new StoreWriteStatus(true, "the store takes writes");
        }

        var free = FreeBytes();
        if (free >= RecoveryFreeBytes)
        {
            if (Interlocked.CompareExchange(ref _full, null, full) == full)
            {
                LogRecovered(logger, $"{free} bytes are free again", full.Since);
            }

            return new StoreWriteStatus(true, $"the store takes writes again: {free} bytes free");
        }

        return new StoreWriteStatus(false,
            $"writes to the store fail: its disk is full (since {full.Since:O}; {(free is null ? "free space unknown" : $"{free} bytes free")}, writable again from {RecoveryFreeBytes} bytes free or the next write that commits)");
    }

    /// <summary>
    /// Whether the store's disk has no room left right now: then an I/O error from SQLite (its shared-memory index
    /// cannot grow, a page cannot be written) is the full disk speaking, not a failing one.
    /// </summary>
    public bool IsOutOfSpace => FreeBytes() is < OutOfSpaceBytes;

    /// <summary>Less than this free is no room: SQLite grows its files in pages and its shared-memory index in 32 KiB steps.</summary>
    private const long OutOfSpaceBytes = 64 * 1024;

    private long? FreeBytes()
    {
        if (storeFolder is null)
        {
            return null;
        }

        try
        {
            // On Linux DriveInfo takes any path and asks statvfs about the filesystem it is on.
            return new DriveInfo(storeFolder).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A write to the store was refused: the disk holding {StoreFolder} is full ({FreeBytes} bytes free). API writes answer 507 StorageFullError and /healthz is unhealthy until space is freed")]
    private static partial void LogFull(ILogger logger, Exception exception, string storeFolder, string freeBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "The store takes writes again ({Reason}); it was full since {Since:O}")]
    private static partial void LogRecovered(ILogger logger, string reason, DateTime since);
}
