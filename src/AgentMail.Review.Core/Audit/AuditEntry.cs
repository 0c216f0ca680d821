namespace AgentMail.Review.Core.Audit;

/// <summary>One thing that happened to a draft. Kept after the draft is sent or deleted.</summary>
public sealed class AuditEntry
{
    public long Id { get; init; }

    public required string DraftId { get; init; }

    public required string InboxId { get; init; }

    public required string Action { get; init; }

    /// <summary><c>agent</c>, <c>person</c> or <c>system</c>.</summary>
    public required string ActorKind { get; init; }

    public required string ActorId { get; init; }

    public required string ActorName { get; init; }

    /// <summary>Where the request came from (remote IP), when there was a request.</summary>
    public string? ActorAddress { get; init; }

    /// <summary>What changed, as JSON: field names, and old and new send times.</summary>
    public string? Details { get; init; }

    public DateTime At { get; init; }
}

public static class AuditActions
{
    public const string Created = "created";
    public const string Edited = "edited";
    public const string Scheduled = "scheduled";
    public const string Rescheduled = "rescheduled";
    public const string Unscheduled = "unscheduled";
    public const string Approved = "approved";
    public const string SendRequested = "send_requested";
    public const string Sending = "sending";
    public const string RetryScheduled = "retry_scheduled";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Deleted = "deleted";

    /// <summary>The Message a draft became was deleted (with its inbox); recorded on the draft's trail.</summary>
    public const string MessageDeleted = "message_deleted";
    public const string HeldForReply = "held_for_reply";
    public const string ChangesRequested = "changes_requested";
}
