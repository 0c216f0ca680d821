namespace AgentMail.Review.Core.Events;

/// <summary>How far one consumer of the log has got; moved in the same transaction as what it did with the events.</summary>
public sealed class EventCursor
{
    public required string Consumer { get; init; }

    public long Position { get; set; }
}
