using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Messages;

namespace AgentMail.Review.Core.Drafts;

/// <summary>The labels a send asks for (<see cref="MessageLabels"/>), applied to the draft as an edit of its labels.</summary>
public sealed partial class DraftsService
{
    /// <summary>Labels the server sets itself: a send may neither add nor remove them.</summary>
    private static readonly string[] ServerLabels = [Message.SentLabel, Message.ReceivedLabel, Message.UnreadLabel, Draft.ScheduledLabel];

    /// <summary>Refuses labels a draft could not have, and the server's own, each by its field (<c>add_labels[0]</c>).</summary>
    public void CheckMessageLabels(MessageLabels labels)
    {
        var errors = new DraftValidator.Errors();
        foreach (var (field, values) in new[] { ("add_labels", labels.Add), ("remove_labels", labels.Remove) })
        {
            validator.CheckLabels(errors, field, values);
            for (var i = 0; i < values.Count; i++)
            {
                if (ServerLabels.Contains(values[i].Trim()))
                {
                    errors.Add($"{field}[{i}]", $"\"{values[i].Trim()}\" is set by the server and cannot be changed by hand");
                }
            }
        }

        errors.ThrowIfAny();
    }

    /// <summary>
    /// Puts the send's labels on the draft at the version the send read (a label edit: it withdraws no approval), so the
    /// Message made from it carries them. A draft changed meanwhile is a conflict, which the SDKs retry.
    /// </summary>
    public Task<Draft> LabelForSendAsync(Actor actor, Draft draft, MessageLabels labels, CancellationToken ct = default) =>
        UpdateAsync(actor, draft.InboxId, draft.DraftId, new DraftPatch { AddLabels = labels.Add, RemoveLabels = labels.Remove, ExpectedVersion = draft.Version }, ct);
}
