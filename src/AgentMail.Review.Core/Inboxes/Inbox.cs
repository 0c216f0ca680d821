namespace AgentMail.Review.Core.Inboxes;

/// <summary>An agent's mailbox; its address is its id.</summary>
public sealed class Inbox
{
    public required string InboxId { get; init; }

    public string? DisplayName { get; set; }

    public string? ClientId { get; init; }

    /// <summary>The agent's own key-value pairs (AgentMail's <c>metadata</c>), as JSON object text; see <see cref="InboxMetadata"/>.</summary>
    public string? Metadata { get; set; }

    /// <summary>When set, agents may not send from this inbox: a supervisor approves every draft.</summary>
    public bool ReviewRequired { get; set; }

    /// <summary>What a reply arriving in a thread does to this inbox's follow-ups scheduled in it.</summary>
    public OnReplyPolicy OnReply { get; set; } = OnReplyPolicy.Hold;

    public DateTime CreatedAt { get; init; }

    public DateTime UpdatedAt { get; set; }

    public string Domain => InboxId[(InboxId.IndexOf('@') + 1)..];
}
