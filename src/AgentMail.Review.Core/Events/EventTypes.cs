namespace AgentMail.Review.Core.Events;

/// <summary>
/// Every event type the log carries. AgentMail's own (<c>message.*</c>) and this product's (<c>draft.*</c>). Adding
/// one is one line here plus the place that appends it; webhooks and the websocket accept whatever is listed.
/// </summary>
public static class EventTypes
{
    public const string MessageReceived = "message.received";
    public const string MessageSent = "message.sent";
    public const string MessageDelivered = "message.delivered";
    public const string MessageBounced = "message.bounced";
    public const string MessageRejected = "message.rejected";

    public const string DraftCreated = "draft.created";
    public const string DraftUpdated = "draft.updated";
    public const string DraftScheduled = "draft.scheduled";
    public const string DraftApproved = "draft.approved";
    public const string DraftChangesRequested = "draft.changes_requested";
    public const string DraftSent = "draft.sent";
    public const string DraftFailed = "draft.failed";
    public const string DraftDeleted = "draft.deleted";

    public static readonly IReadOnlyList<string> All =
    [
        MessageReceived, MessageSent, MessageDelivered, MessageBounced, MessageRejected,
        DraftCreated, DraftUpdated, DraftScheduled, DraftApproved, DraftChangesRequested, DraftSent, DraftFailed, DraftDeleted,
    ];

    public static bool IsKnown(string eventType) => All.Contains(eventType, StringComparer.Ordinal);
}
