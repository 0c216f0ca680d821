using System.Text.Json;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using Microsoft.JSInterop;

namespace AgentMail.Review.Web.Console;

/// <summary>The fields the console's editor changes, as the supervisor has them right now.</summary>
public sealed record DraftEdit(IReadOnlyList<string> To, IReadOnlyList<string> Cc, IReadOnlyList<string> Bcc, string? Subject, string? Text, string? Html)
{
    public static DraftEdit Of(Draft draft) => new(draft.To, draft.Cc, draft.Bcc, draft.Subject, draft.Text, draft.Html);

    /// <summary>
    /// The fields changed since <paramref name="start"/> (what the editor opened with) as a patch, saved only over
    /// <paramref name="expectedVersion"/>: a field the supervisor left alone keeps whatever is saved.
    /// </summary>
    public DraftPatch ToPatch(DraftEdit start, long expectedVersion)
    {
        var changed = DifferencesFrom(start);
        return new DraftPatch
        {
            To = changed.Contains("To") ? new(true, To) : default,
            Cc = changed.Contains("Cc") ? new(true, Cc) : default,
            Bcc = changed.Contains("Bcc") ? new(true, Bcc) : default,
            Subject = changed.Contains("Subject") ? new(true, Blank(Subject)) : default,
            Text = changed.Contains("Text") ? new(true, Blank(Text)) : default,
            Html = changed.Contains("HTML") ? new(true, Blank(Html)) : default,
            ExpectedVersion = expectedVersion,
        };
    }

    /// <summary>The fields that differ, named as the editor labels them; an empty field and a missing one are the same.</summary>
    public IReadOnlyList<string> DifferencesFrom(DraftEdit other)
    {
        var fields = new List<string>();
        if (!To.SequenceEqual(other.To)) fields.Add("To");
        if (!Cc.SequenceEqual(other.Cc)) fields.Add("Cc");
        if (!Bcc.SequenceEqual(other.Bcc)) fields.Add("Bcc");
        if (Blank(Subject) != Blank(other.Subject)) fields.Add("Subject");
        if (Blank(Text) != Blank(other.Text)) fields.Add("Text");
        if (Blank(Html) != Blank(other.Html)) fields.Add("HTML");
        return fields;
    }

    /// <summary>One field's value as the compare view shows it.</summary>
    public string Show(string field) => field switch
    {
        "To" => string.Join(", ", To),
        "Cc" => string.Join(", ", Cc),
        "Bcc" => string.Join(", ", Bcc),
        "Subject" => Subject ?? "",
        "Text" => Text ?? "",
        _ => Html ?? "",
    };

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>An unsaved edit kept in the browser: against which version of the draft, and when it was last typed.</summary>
public sealed record KeptEdit(long Version, DraftEdit Edit, DateTime SavedAt);

/// <summary>
/// Keeps the editor's unsaved fields in this browser's local storage, one entry per draft (with the version they were
/// typed against), so a reconnect, a restart or a closed tab loses no typing. Removed once saved or discarded.
/// </summary>
public sealed class EditKeeper(IJSRuntime js, ILogger<EditKeeper> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task KeepAsync(string draftId, KeptEdit edit)
    {
        try
        {
            await js.InvokeVoidAsync("reviewConsole.keepEdit", draftId, JsonSerializer.Serialize(edit, Json));
        }
        catch (JSDisconnectedException)
        {
            // The browser is gone; what it kept last is still there.
        }
    }

    public async Task<KeptEdit?> FindAsync(string draftId)
    {
        try
        {
            var text = await js.InvokeAsync<string?>("reviewConsole.keptEdit", draftId);
            return string.IsNullOrEmpty(text) ? null : JsonSerializer.Deserialize<KeptEdit>(text, Json);
        }
        catch (JsonException e)
        {
            logger.LogInformation(e, "An unreadable kept edit of draft {DraftId} is ignored", draftId);
            return null;
        }
        catch (JSDisconnectedException)
        {
            return null;
        }
    }

    public async Task ForgetAsync(string draftId)
    {
        try
        {
            await js.InvokeVoidAsync("reviewConsole.keepEdit", draftId, null);
        }
        catch (JSDisconnectedException)
        {
        }
    }
}

/// <summary>What the editor says at once when someone else acts on the draft it has open.</summary>
public static class EditorNotices
{
    /// <param name="latest">The draft as it is now; null when it is gone.</param>
    public static string For(DraftChange change, Draft? latest)
    {
        var who = change.Actor.DisplayName;
        if (change.Kind == DraftChangeKind.Sent || latest is null && change.Kind != DraftChangeKind.Deleted)
        {
            return $"This draft was sent while you were editing ({who}): it has left and your edit can no longer be saved. Your text is still here to copy.";
        }

        if (change.Kind == DraftChangeKind.Deleted)
        {
            return $"{who} deleted this draft while you were editing: your edit can no longer be saved. Your text is still here to copy.";
        }

        if (latest is { State: DraftState.Sending })
        {
            return $"This draft is being sent now ({who}): your edit can no longer be saved.";
        }

        if (latest is { ApprovedBy: { } approver } && change.Actor.Kind == ActorKind.Person)
        {
            return $"{approver} approved this draft for sending while you were editing. Saving your edit withdraws that approval.";
        }

        if (latest is { SendRequestedBy: { } agent } && change.Actor.Kind == ActorKind.Agent)
        {
            return $"{agent} asked to send this draft while you were editing; it waits for approval. Saving shows their version next to yours.";
        }

        return $"{who} changed this draft while you were editing. Your edits are kept; saving shows their version next to yours to choose.";
    }
}
