using System.Globalization;
using System.Text.Json;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;

namespace AgentMail.Review.Core.Drafts;

public enum BulkKind
{
    Approve,
    Delete,
}

/// <summary>How far a bulk operation has got, as the console shows it.</summary>
/// <param name="Skipped">Drafts that changed (or went) after they were selected: left as they are, not overwritten.</param>
public sealed record BulkProgress(string OperationId, BulkKind Kind, int Total, int Done, int Succeeded, int Skipped, int Failed, bool Finished, IReadOnlyList<string> Notes)
{
    public static BulkProgress Unknown(string operationId) => new(operationId, BulkKind.Approve, 0, 0, 0, 0, 0, true, ["this bulk operation is no longer known"]);
}

/// <summary>
/// A bulk action over every draft matching a filter, run as a Hangfire job rather than in a console circuit. The
/// drafts (id, inbox and the version selected) and the person acting are stored with the operation in the job store,
/// which every instance shares; the job's one argument is the operation's id. Each draft goes through the drafts
/// service with its version, so one that changed meanwhile is skipped and reported, never overwritten.
/// </summary>
public sealed class BulkOperations(JobStorage storage, IBackgroundJobClient jobs, ReviewQueue queue, TimeProvider clock)
{
    /// <summary>The most drafts one operation takes.</summary>
    public const int MaxDrafts = 10_000;

    private static readonly TimeSpan Kept = TimeSpan.FromDays(1);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal static string Key(string operationId) => $"review:bulk:{operationId}";

    /// <summary>Stores the matching drafts at their current versions and enqueues the job; returns the operation's progress.</summary>
    public async Task<BulkProgress> StartAsync(Actor actor, BulkKind kind, QueueFilter filter, TimeSpan undoWindow, CancellationToken ct = default)
    {
        if (actor.Kind != ActorKind.Person)
        {
            throw new ForbiddenException("only a signed-in supervisor can act on drafts in bulk");
        }

        var drafts = await queue.MatchingAsync(filter, MaxDrafts, ct);
        var id = Ids.New();
        using var connection = storage.GetConnection();
        Write(connection, id, new Dictionary<string, string>
        {
            ["kind"] = kind.ToString(),
            ["actor"] = JsonSerializer.Serialize(actor, Json),
            ["drafts"] = JsonSerializer.Serialize(drafts, Json),
            ["undo_ms"] = ((long)undoWindow.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            ["created_at"] = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
            ["total"] = drafts.Count.ToString(CultureInfo.InvariantCulture),
        });
        Write(connection, id, Progress(0, 0, 0, 0, drafts.Count == 0, []));
        if (drafts.Count > 0)
        {
            jobs.Enqueue<BulkOperationJob>(job => job.RunAsync(id));
        }

        return ProgressOf(id, connection);
    }

    public BulkProgress Progress(string operationId)
    {
        using var connection = storage.GetConnection();
        return ProgressOf(operationId, connection);
    }

    internal static BulkProgress ProgressOf(string operationId, IStorageConnection connection)
    {
        var hash = connection.GetAllEntriesFromHash(Key(operationId));
        if (hash is null || !hash.TryGetValue("kind", out var kind))
        {
            return BulkProgress.Unknown(operationId);
        }

        int Number(string field) => hash.TryGetValue(field, out var v) && int.TryParse(v, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return new BulkProgress(operationId, Enum.Parse<BulkKind>(kind), Number("total"), Number("done"), Number("succeeded"), Number("skipped"), Number("failed"),
            hash.GetValueOrDefault("finished") == "1",
            hash.TryGetValue("notes", out var notes) ? JsonSerializer.Deserialize<List<string>>(notes, Json) ?? [] : []);
    }

    internal static Dictionary<string, string> Progress(int done, int succeeded, int skipped, int failed, bool finished, IReadOnlyList<string> notes) => new()
    {
        ["done"] = done.ToString(CultureInfo.InvariantCulture),
        ["succeeded"] = succeeded.ToString(CultureInfo.InvariantCulture),
        ["skipped"] = skipped.ToString(CultureInfo.InvariantCulture),
        ["failed"] = failed.ToString(CultureInfo.InvariantCulture),
        ["finished"] = finished ? "1" : "0",
        ["notes"] = JsonSerializer.Serialize(notes, Json),
    };

    internal static void Write(IStorageConnection connection, string operationId, Dictionary<string, string> fields)
    {
        using var transaction = connection.CreateWriteTransaction();
        transaction.SetRangeInHash(Key(operationId), fields);
        if (transaction is JobStorageTransaction expiring)
        {
            try
            {
                expiring.ExpireHash(Key(operationId), Kept);
            }
            catch (NotSupportedException)
            {
                // A job store without expiry keeps the operation until it is cleaned.
            }
        }

        transaction.Commit();
    }

    internal static (BulkKind Kind, Actor Actor, IReadOnlyList<DraftKey> Drafts, TimeSpan UndoWindow)? Read(IStorageConnection connection, string operationId)
    {
        var hash = connection.GetAllEntriesFromHash(Key(operationId));
        if (hash is null || !hash.TryGetValue("kind", out var kind) || !hash.TryGetValue("actor", out var actor) || !hash.TryGetValue("drafts", out var drafts))
        {
            return null;
        }

        return (Enum.Parse<BulkKind>(kind), JsonSerializer.Deserialize<Actor>(actor, Json)!, JsonSerializer.Deserialize<List<DraftKey>>(drafts, Json) ?? [],
            TimeSpan.FromMilliseconds(long.Parse(hash.GetValueOrDefault("undo_ms") ?? "0", CultureInfo.InvariantCulture)));
    }
}

/// <summary>
/// Runs one bulk operation: each draft through the drafts service's doorway at the version it was selected at, its
/// progress written as it goes. A run that is retried (a restart) begins where the written progress ends; a draft
/// acted on but not yet counted then meets its own new version and is counted as skipped, never acted on twice.
/// </summary>
public sealed class BulkOperationJob(JobStorage storage, DraftsService drafts, SendService sending, ILogger<BulkOperationJob> logger)
{
    private const int WriteEvery = 20;
    private const int MostNotes = 50;

    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Bulk operation {0}")]
    public async Task RunAsync(string operationId)
    {
        using var connection = storage.GetConnection();
        if (BulkOperations.Read(connection, operationId) is not { } operation)
        {
            logger.LogWarning("Bulk operation {OperationId} is no longer stored; nothing to do", operationId);
            return;
        }

        var progress = BulkOperations.ProgressOf(operationId, connection);
        if (progress.Finished)
        {
            return;
        }

        var (done, succeeded, skipped, failed) = (progress.Done, progress.Succeeded, progress.Skipped, progress.Failed);
        var notes = progress.Notes.ToList();
        foreach (var draft in operation.Drafts.Skip(done))
        {
            try
            {
                if (operation.Kind == BulkKind.Approve)
                {
                    await sending.ApproveAsync(operation.Actor, draft.InboxId, draft.DraftId, draft.Version, operation.UndoWindow);
                }
                else
                {
                    await drafts.DeleteAsync(operation.Actor, draft.InboxId, draft.DraftId, draft.Version);
                }

                succeeded++;
            }
            catch (Exception e) when (e is ConflictException or NotFoundException)
            {
                skipped++;
                Note(notes, $"{draft.DraftId}: skipped, it changed after it was selected ({e.Message})");
            }
            catch (ReviewException e) when (e is not StorageFullException)
            {
                failed++;
                Note(notes, $"{draft.DraftId}: {e.Message}");
            }

            done++;
            if (done % WriteEvery == 0)
            {
                BulkOperations.Write(connection, operationId, BulkOperations.Progress(done, succeeded, skipped, failed, false, notes));
            }
        }

        BulkOperations.Write(connection, operationId, BulkOperations.Progress(done, succeeded, skipped, failed, true, notes));
        logger.LogInformation("Bulk {Kind} {OperationId}: {Succeeded} done, {Skipped} skipped, {Failed} failed", operation.Kind, operationId, succeeded, skipped, failed);
    }

    private static void Note(List<string> notes, string note)
    {
        if (notes.Count < MostNotes)
        {
            notes.Add(note);
        }
    }
}
