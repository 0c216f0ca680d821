using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Delivery;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Web.Console;

/// <summary>The result of one action on one draft, as a supervisor reads it.</summary>
public sealed record ActionResult(string DraftId, bool Succeeded, string Message)
{
    public static ActionResult Ok(string draftId, string message) => new(draftId, true, message);

    public static ActionResult Failed(string draftId, ReviewException e) => new(draftId, false, e.Message);
}

/// <summary>
/// Translates what a supervisor does in the console into calls on the drafts service and the send scheduler, as
/// the signed-in person. No rules live here: validation, states and versions are the drafts service's.
/// </summary>
public sealed class ConsoleActions(
    DraftsService drafts,
    DraftQueries queries,
    SendService sending,
    ConsoleUser user,
    IOptions<ConsoleOptions> options)
{
    public TimeSpan UndoWindow => options.Value.UndoWindow;

    public Task<Actor> CurrentActorAsync() => user.ActorAsync();

    public async Task<Draft> LoadAsync(string draftId) => await queries.GetAsync(AccessScope.Organisation, null, draftId);

    /// <summary>The draft as saved now; null when it was sent or deleted.</summary>
    public async Task<Draft?> FindAsync(string draftId)
    {
        try
        {
            return await LoadAsync(draftId);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <summary>Saves an edit over the version it carries (the one the editor started from), else over the row's.</summary>
    public async Task<Draft> SaveAsync(QueueRow row, DraftPatch patch) =>
        await drafts.UpdateAsync(await user.ActorAsync(), row.InboxId, row.DraftId, patch with { ExpectedVersion = patch.ExpectedVersion ?? row.Version });

    /// <summary>Approves and sends: the scheduler sends it once the undo window has passed (at once without one).</summary>
    public async Task<Draft> ApproveAsync(QueueRow row) =>
        await sending.ApproveAsync(await user.ActorAsync(), row.InboxId, row.DraftId, row.Version, options.Value.UndoWindow);

    public async Task<Draft> UndoApprovalAsync(Draft approved) =>
        await drafts.UndoApprovalAsync(await user.ActorAsync(), approved.InboxId, approved.DraftId, approved.Version);

    public async Task<Draft> RescheduleAsync(QueueRow row, DateTime? sendAtUtc) =>
        await drafts.UpdateAsync(await user.ActorAsync(), row.InboxId, row.DraftId, new DraftPatch { SendAt = new Optional<DateTime?>(true, sendAtUtc), ExpectedVersion = row.Version });

    /// <summary>Sends the draft back to its agent with the supervisor's reason.</summary>
    public async Task<Draft> RequestChangesAsync(QueueRow row, string reason) =>
        await drafts.RequestChangesAsync(await user.ActorAsync(), row.InboxId, row.DraftId, row.Version, reason);

    public async Task<Draft> AddLabelAsync(QueueRow row, string label) =>
        await drafts.UpdateAsync(await user.ActorAsync(), row.InboxId, row.DraftId, new DraftPatch { AddLabels = [label], ExpectedVersion = row.Version });

    public async Task<Draft> RemoveLabelAsync(QueueRow row, string label) =>
        await drafts.UpdateAsync(await user.ActorAsync(), row.InboxId, row.DraftId, new DraftPatch { RemoveLabels = [label], ExpectedVersion = row.Version });

    public async Task DeleteAsync(QueueRow row) =>
        await drafts.DeleteAsync(await user.ActorAsync(), row.InboxId, row.DraftId, row.Version);

    /// <summary>Runs one action over many drafts; each succeeds or fails on its own and says why.</summary>
    public static async Task<IReadOnlyList<ActionResult>> ForEachAsync(IEnumerable<QueueRow> rows, Func<QueueRow, Task<string>> action)
    {
        var results = new List<ActionResult>();
        foreach (var row in rows)
        {
            try
            {
                results.Add(ActionResult.Ok(row.DraftId, await action(row)));
            }
            catch (ReviewException e)
            {
                results.Add(ActionResult.Failed(row.DraftId, e));
            }
        }

        return results;
    }
}
