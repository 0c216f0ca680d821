using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Threads;

namespace AgentMail.Review.Core.Events;

/// <summary>
/// The snapshot an event keeps: the draft, message and thread as they were when the change committed, and why. The
/// wire payload is rendered from it by the host, so every delivery and replay of one event says the same.
/// </summary>
public sealed record EventFacts
{
    public Draft? Draft { get; init; }

    public Message? Message { get; init; }

    public MailThread? Thread { get; init; }

    /// <summary>Who made the change (kind and name; never the caller's address).</summary>
    public EventActor? Actor { get; init; }

    /// <summary>A failure's, rejection's or deletion's reason.</summary>
    public string? Reason { get; init; }

    /// <summary>For <c>draft.updated</c>: the fields that changed.</summary>
    public IReadOnlyList<string>? Changed { get; init; }

    /// <summary>For a message that left: the addresses it went to.</summary>
    public IReadOnlyList<string>? Recipients { get; init; }
}

/// <param name="Id">The actor's id (API key id, person's subject), for consoles on other instances to tell their own
/// changes from someone else's; kept out of the wire payloads, which name the kind and name only.</param>
public sealed record EventActor(string Kind, string Name, string? Id = null)
{
    public static EventActor Of(Actor actor) => new(actor.Kind.ToString().ToLowerInvariant(), actor.DisplayName, actor.Id);
}
