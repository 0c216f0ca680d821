namespace AgentMail.Review.Core.Webhooks;

public enum DeliveryStatus
{
    /// <summary>Waiting for its next attempt (<see cref="WebhookDelivery.NextAttemptAt"/>).</summary>
    Pending,
    Succeeded,

    /// <summary>Every attempt failed, or the endpoint answered 410 Gone.</summary>
    Failed,

    /// <summary>Not attempted again: the endpoint was disabled or deleted meanwhile.</summary>
    Cancelled,
}

/// <summary>One event on its way to one endpoint, with what its last attempt got back.</summary>
public sealed class WebhookDelivery
{
    public required string DeliveryId { get; init; }

    public required string WebhookId { get; init; }

    public long EventPosition { get; init; }

    public required string EventId { get; init; }

    public required string EventType { get; init; }

    public DeliveryStatus Status { get; set; }

    /// <summary>Attempts made so far.</summary>
    public int Attempts { get; set; }

    public DateTime? NextAttemptAt { get; set; }

    public DateTime? LastAttemptAt { get; set; }

    public int? LastStatusCode { get; set; }

    /// <summary>The first kilobyte or so of the last response's body, for the admin.</summary>
    public string? LastResponse { get; set; }

    /// <summary>Why the last attempt failed when no response came (timeout, refused, a private address).</summary>
    public string? LastError { get; set; }

    public DateTime CreatedAt { get; init; }
}
