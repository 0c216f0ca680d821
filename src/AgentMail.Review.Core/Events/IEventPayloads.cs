namespace AgentMail.Review.Core.Events;

/// <summary>
/// Renders an event as agents receive it — AgentMail's envelope <c>{type: "event", event_type, event_id, …}</c> —
/// from the facts it recorded. The host supplies it (it owns the wire shapes); webhooks and the websocket send
/// exactly its bytes, so both say the same.
/// </summary>
public interface IEventPayloads
{
    byte[] Render(EventRecord record);
}
