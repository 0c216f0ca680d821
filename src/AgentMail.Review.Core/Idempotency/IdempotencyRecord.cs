namespace AgentMail.Review.Core.Idempotency;

/// <summary>
/// An <c>Idempotency-Key</c> a caller used for one operation: what the request was (a hash of it) and what it acted
/// on, so the same key with the same request answers the original result and with another request is refused.
/// </summary>
public sealed class IdempotencyRecord
{
    /// <summary>Who used the key: an API key's id. Keys of different callers never meet.</summary>
    public required string CallerId { get; init; }

    /// <summary>The operation, such as <c>drafts.send</c>.</summary>
    public required string Operation { get; init; }

    public required string Key { get; init; }

    /// <summary>SHA-256 of the request (path and body), hex.</summary>
    public required string RequestHash { get; init; }

    /// <summary>What the request acted on (for a send: the draft, whose Message-ID derives from it).</summary>
    public required string ResourceId { get; init; }

    public required string InboxId { get; init; }

    public DateTime CreatedAt { get; init; }
}
