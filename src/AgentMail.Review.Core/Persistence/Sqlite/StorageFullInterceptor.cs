using System.Data.Common;
using System.Runtime.ExceptionServices;
using AgentMail.Review.Core.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>
/// Turns SQLite's "database or disk is full" into <see cref="StorageFullException"/> where EF Core reports the failure,
/// so services and their callers (API, console, jobs) meet one domain error instead of a provider's exception, and a
/// <c>catch (DbUpdateException)</c> meant for a unique-key race (inbox and client_id creates) does not mistake a full
/// disk for one. It also tells <see cref="StoreWriteHealth"/> when writes fail for lack of space and when they commit.
/// </summary>
/// <remarks>
/// A full disk can surface in three places, and each is covered: a statement (an update or delete run directly, or a
/// statement of SaveChanges once SQLite spills pages to the log), a commit (an explicit transaction's, or the one
/// SaveChanges opens itself), and SaveChanges as a whole, which wraps its statements' failures in DbUpdateException.
/// EF Core calls these hooks from its catch blocks and rethrows with <c>throw;</c>, so an exception thrown here takes
/// the original's place (the original stays as its inner exception). A full disk never leaves half a change: SQLite
/// rolls the transaction back (it may do so itself on SQLITE_FULL; Microsoft.Data.Sqlite then skips its own ROLLBACK).
/// </remarks>
internal sealed class StorageFullInterceptor(StoreWriteHealth health) : IDbCommandInterceptor, IDbTransactionInterceptor, ISaveChangesInterceptor
{
    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => ThrowIfStorageFull(eventData.Exception);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ThrowIfStorageFull(eventData.Exception);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => ThrowIfStorageFull(eventData.Exception);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ThrowIfStorageFull(eventData.Exception);
        return Task.CompletedTask;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => ThrowIfStorageFull(eventData.Exception);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ThrowIfStorageFull(eventData.Exception);
        return Task.CompletedTask;
    }

    // A commit that went through shows the disk takes writes again. (SaveChanges inside an explicit transaction
    // reports success before its commit; if that commit then fails for space, the store is marked full again.)
    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => health.WriteSucceeded();

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        health.WriteSucceeded();
        return Task.CompletedTask;
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        health.WriteSucceeded();
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        health.WriteSucceeded();
        return ValueTask.FromResult(result);
    }

    private void ThrowIfStorageFull(Exception exception)
    {
        if (StoreFailures.AsStorageFull(exception, health) is not { } full)
        {
            return;
        }

        health.WriteFailedForLackOfSpace(full);
        if (ReferenceEquals(full, exception))
        {
            // Already the domain error (a statement's or commit's, reaching SaveChanges): EF rethrows it as it is.
            return;
        }

        if (full.StackTrace is not null)
        {
            // Thrown once already (a statement's, now wrapped by SaveChanges): unwrapped, with the stack it had.
            ExceptionDispatchInfo.Throw(full);
        }

        throw full;
    }
}
