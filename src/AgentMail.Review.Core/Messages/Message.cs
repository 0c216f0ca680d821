using AgentMail.Review.Core.Drafts;

namespace AgentMail.Review.Core.Messages;

/// <summary>What a draft becomes once it has been delivered.</summary>
public sealed class Message
{
    public const string SentLabel = "sent";

    public const string ReceivedLabel = "received";

    public const string UnreadLabel = "unread";

    public required string MessageId { get; init; }

    public required string ThreadId { get; init; }

    public required string InboxId { get; init; }

    /// <summary>The draft it was sent from (the draft row itself is gone); null for a received message.</summary>
    public string? DraftId { get; init; }

    public required string From { get; init; }

    public List<string> To { get; init; } = [];

    public List<string> Cc { get; init; } = [];

    public List<string> Bcc { get; init; } = [];

    public List<string> ReplyTo { get; init; } = [];

    public List<string> Labels { get; set; } = [];

    public string? Subject { get; init; }

    public string? Text { get; init; }

    public string? Html { get; init; }

    public string? Preview { get; init; }

    public string? InReplyTo { get; init; }

    public List<string> References { get; init; } = [];

    public List<AttachmentInfo> Attachments { get; init; } = [];

    public long Size { get; init; }

    public DateTime Timestamp { get; init; }

    public DateTime CreatedAt { get; init; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>Who let the draft go: the approving supervisor, else the agent key or person that sent it.</summary>
    public string? SentBy { get; init; }
}
