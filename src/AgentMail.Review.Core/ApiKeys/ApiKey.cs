namespace AgentMail.Review.Core.ApiKeys;

/// <summary>An agent's credential. Only a hash of the key is stored; the key itself is shown once.</summary>
public sealed class ApiKey
{
    public required string ApiKeyId { get; init; }

    public required string Name { get; set; }

    /// <summary>The first characters of the key, so people can tell keys apart.</summary>
    public required string Prefix { get; init; }

    /// <summary>SHA-256 of the key, hex. Keys are 256-bit random, so a fast hash is enough.</summary>
    public required string Hash { get; init; }

    /// <summary>Inboxes the key may use; empty means the whole organisation.</summary>
    public List<string> InboxIds { get; set; } = [];

    /// <summary>Whether the key's agent may send without a person, in inboxes that do not require review.</summary>
    public bool CanSend { get; set; }

    public DateTime CreatedAt { get; init; }

    public DateTime? LastUsedAt { get; set; }

    public DateTime? RevokedAt { get; set; }

    public bool IsOrganisationWide => InboxIds.Count == 0;
}
