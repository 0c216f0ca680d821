namespace AgentMail.Review.Core.Common;

/// <summary>Who asked for a change: an agent's API key, a signed-in person, or the system itself (jobs).</summary>
/// <param name="MaySend">For an agent: its key may send without a person (in inboxes that do not require review).</param>
public sealed record Actor(ActorKind Kind, string Id, string DisplayName, string? Address = null, bool MaySend = false)
{
    public static readonly Actor System = new(ActorKind.System, "system", "AgentMail Review");

    public static Actor Agent(string keyId, string keyName, string? address, bool maySend = false) => new(ActorKind.Agent, keyId, keyName, address, maySend);

    public static Actor Person(string subject, string email, string? address) => new(ActorKind.Person, subject, email, address);

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}:{DisplayName}";
}

public enum ActorKind
{
    System,
    Agent,
    Person,
}
