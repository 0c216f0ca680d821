namespace AgentMail.Review.Core.Webhooks;

/// <summary>An endpoint agents registered to hear events at (AgentMail's <c>Webhook</c>).</summary>
public sealed class Webhook
{
    public required string WebhookId { get; init; }

    public required string Url { get; set; }

    public List<string> EventTypes { get; set; } = [];

    /// <summary>The inboxes it listens to; empty for every inbox its owner may see.</summary>
    public List<string> InboxIds { get; set; } = [];

    /// <summary>The inboxes the key that created it may see; null for an organisation-wide key. Deliveries never leave it.</summary>
    public List<string>? OwnerInboxIds { get; set; }

    public string? ClientId { get; init; }

    /// <summary><c>whsec_</c> + base64 of the signing key.</summary>
    public required string Secret { get; init; }

    public bool Enabled { get; set; } = true;

    /// <summary>Why it was disabled (410 Gone, or failing for days); shown to the admin.</summary>
    public string? DisabledReason { get; set; }

    /// <summary>When its current run of failed attempts began; cleared by any success.</summary>
    public DateTime? FailingSince { get; set; }

    public DateTime CreatedAt { get; init; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>Whether an event in <paramref name="inboxId"/> of <paramref name="eventType"/> goes to this endpoint.</summary>
    public bool Wants(string eventType, string inboxId) =>
        Enabled
        && EventTypes.Contains(eventType)
        && (InboxIds.Count == 0 || InboxIds.Contains(inboxId))
        && (OwnerInboxIds is null || OwnerInboxIds.Contains(inboxId));
}
