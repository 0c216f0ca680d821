namespace AgentMail.Review.Core.Events;

/// <summary>
/// One row of the event log, written in the same transaction as the change it tells of (the transactional outbox).
/// Consumers read the log in <see cref="Position"/> order and remember where they are, so a crash between a commit
/// and its delivery loses nothing.
/// </summary>
public sealed class EventRecord
{
    /// <summary>The log's order; assigned by the store on commit.</summary>
    public long Position { get; init; }

    /// <summary>The id agents see (<c>event_id</c>); the same in every delivery and replay of this event.</summary>
    public required string EventId { get; init; }

    public required string EventType { get; init; }

    public required string InboxId { get; init; }

    public string? DraftId { get; init; }

    public string? MessageId { get; init; }

    public string? ThreadId { get; init; }

    public DateTime OccurredAt { get; init; }

    /// <summary>What the event is about as it was at the commit (<see cref="EventFacts"/> as JSON); payloads are rendered from it.</summary>
    public required string Facts { get; init; }
}
