using System.Text.Json;
using System.Text.Json.Nodes;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Web.Api;
using AgentMail.Review.Web.Drafts;
using AgentMail.Review.Web.Messages;
using AgentMail.Review.Web.Threads;

namespace AgentMail.Review.Web.Events;

/// <summary>
/// Events as agents receive them, by webhook or websocket: AgentMail's envelope <c>{type: "event", event_type,
/// event_id, …}</c> with AgentMail's shapes (<c>message</c> and <c>thread</c> for <c>message.received</c>; <c>send</c>,
/// <c>delivery</c>, <c>reject</c> for the others) and, for this product's <c>draft.*</c>, the draft as the API shows it,
/// who acted and why.
/// </summary>
public sealed class EventPayloads : IEventPayloads
{
    public static readonly JsonSerializerOptions Json = CreateOptions();

    public byte[] Render(EventRecord record) => JsonSerializer.SerializeToUtf8Bytes(Envelope(record), Json);

    public static JsonObject Envelope(EventRecord record)
    {
        var facts = EventLog.ReadFacts(record);
        var envelope = new JsonObject
        {
            ["type"] = "event",
            ["event_type"] = record.EventType,
            ["event_id"] = record.EventId,
        };
        var message = facts.Message;
        var about = new JsonObject
        {
            ["inbox_id"] = record.InboxId,
            ["thread_id"] = record.ThreadId,
            ["message_id"] = record.MessageId,
            ["timestamp"] = ApiJson.Format(record.OccurredAt),
        };
        switch (record.EventType)
        {
            case EventTypes.MessageReceived:
                envelope["message"] = Node(MessageResponse.Of(message!, withBodies: true));
                envelope["thread"] = facts.Thread is null ? null : Node(ThreadItemResponse.From(facts.Thread));
                break;
            case EventTypes.MessageSent:
                about["recipients"] = Node(facts.Recipients ?? []);
                envelope["send"] = about;
                break;
            case EventTypes.MessageDelivered:
                about["recipients"] = Node(facts.Recipients ?? []);
                envelope["delivery"] = about;
                break;
            case EventTypes.MessageBounced:
                about["type"] = "Permanent";
                about["sub_type"] = "General";
                about["recipients"] = Node((facts.Recipients ?? []).Select(a => new { address = a, status = "bounced" }));
                envelope["bounce"] = about;
                break;
            case EventTypes.MessageRejected:
                about["reason"] = facts.Reason;
                envelope["reject"] = about;
                break;
            default:
                if (facts.Draft is { } draft)
                {
                    envelope["draft"] = Node(DraftResponse.From(draft));
                }

                if (record.MessageId is not null)
                {
                    envelope["message_id"] = record.MessageId;
                }

                break;
        }

        if (record.EventType.StartsWith("draft.", StringComparison.Ordinal))
        {
            if (facts.Actor is { } actor)
            {
                envelope["actor"] = new JsonObject { ["kind"] = actor.Kind, ["name"] = actor.Name };
            }

            if (facts.Reason is not null)
            {
                envelope["reason"] = facts.Reason;
            }

            if (facts.Changed is { Count: > 0 } changed)
            {
                envelope["changed"] = Node(changed);
            }

            envelope["timestamp"] = ApiJson.Format(record.OccurredAt);
        }

        return envelope;
    }

    private static JsonNode? Node<T>(T value) => JsonSerializer.SerializeToNode(value, Json);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions();
        ApiJson.Configure(options);
        return options;
    }
}
