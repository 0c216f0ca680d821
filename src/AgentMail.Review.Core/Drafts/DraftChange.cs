using AgentMail.Review.Core.Common;

namespace AgentMail.Review.Core.Drafts;

public enum DraftChangeKind
{
    Created,
    Updated,
    Deleted,
    Sent,
}

/// <summary>
/// One committed change to one draft. <see cref="State"/> and <see cref="SendAt"/> are the draft's values after the
/// change (for <see cref="DraftChangeKind.Deleted"/> and <see cref="DraftChangeKind.Sent"/>, the last ones it had).
/// </summary>
public sealed record DraftChange(
    DraftChangeKind Kind,
    string DraftId,
    string InboxId,
    long Version,
    DraftState State,
    DateTime? SendAt,
    Actor Actor,
    DateTime At,
    string? MessageId = null);
