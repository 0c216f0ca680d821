namespace AgentMail.Review.Core.Delivery;

/// <summary>A message the Outbox transport kept instead of handing it to a mail server.</summary>
public sealed class OutboxEntry
{
    public required string MessageId { get; init; }

    public required string InboxId { get; init; }

    public required string Recipients { get; init; }

    /// <summary>The complete RFC 5322 message as it would have gone on the wire.</summary>
    public required byte[] Mime { get; init; }

    public DateTime RecordedAt { get; init; }
}
