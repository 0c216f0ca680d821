using System.Text.Json;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Persistence;

namespace AgentMail.Review.Core.Events;

/// <summary>Appends events to the log inside the caller's unit of work; they commit with it or not at all.</summary>
public static class EventLog
{
    private static readonly JsonSerializerOptions FactsJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The facts are serialized now: what the event says is the state at this point of the unit of work.</summary>
    public static EventRecord Append(ReviewDbContext db, string eventType, string inboxId, DateTime at, EventFacts facts, string? messageId = null)
    {
        var record = new EventRecord
        {
            EventId = $"evt_{Ids.New()}",
            EventType = eventType,
            InboxId = inboxId,
            DraftId = facts.Draft?.DraftId ?? facts.Message?.DraftId,
            MessageId = messageId ?? facts.Message?.MessageId,
            ThreadId = facts.Thread?.ThreadId ?? facts.Message?.ThreadId ?? facts.Draft?.ThreadId,
            OccurredAt = at,
            Facts = JsonSerializer.Serialize(facts, FactsJson),
        };
        db.Events.Add(record);
        return record;
    }

    /// <summary>A change to a draft, with the draft as it is now.</summary>
    public static EventRecord AppendDraft(ReviewDbContext db, string eventType, Draft draft, Actor actor, DateTime at, string? reason = null, IReadOnlyList<string>? changed = null, string? messageId = null) =>
        Append(db, eventType, draft.InboxId, at, new EventFacts { Draft = draft, Actor = EventActor.Of(actor), Reason = reason, Changed = changed }, messageId);

    public static EventFacts ReadFacts(EventRecord record) => JsonSerializer.Deserialize<EventFacts>(record.Facts, FactsJson)!;
}
