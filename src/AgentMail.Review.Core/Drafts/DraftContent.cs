using AgentMail.Review.Core.Common;

namespace AgentMail.Review.Core.Drafts;

/// <summary>An attachment as a client sends it: content already decoded from base64.</summary>
public sealed record NewAttachment(string? Filename, string? ContentType, string? ContentDisposition, string? ContentId, byte[] Content);

/// <summary>What a client asks a new draft to be.</summary>
public sealed record NewDraft
{
    public IReadOnlyList<string> To { get; init; } = [];

    public IReadOnlyList<string> Cc { get; init; } = [];

    public IReadOnlyList<string> Bcc { get; init; } = [];

    public IReadOnlyList<string> ReplyTo { get; init; } = [];

    public IReadOnlyList<string> Labels { get; init; } = [];

    public string? Subject { get; init; }

    public string? Text { get; init; }

    public string? Html { get; init; }

    public string? InReplyTo { get; init; }

    public bool ReplyAll { get; init; }

    public IReadOnlyList<NewAttachment> Attachments { get; init; } = [];

    public DateTime? SendAt { get; init; }

    public string? ClientId { get; init; }

    /// <summary>The id to give the draft, when the caller needs it before the draft exists (an idempotent message send).</summary>
    public string? DraftId { get; init; }
}

/// <summary>A partial update: absent fields stay, present ones (null included) replace.</summary>
public sealed record DraftPatch
{
    public Optional<IReadOnlyList<string>?> To { get; init; }

    public Optional<IReadOnlyList<string>?> Cc { get; init; }

    public Optional<IReadOnlyList<string>?> Bcc { get; init; }

    public Optional<IReadOnlyList<string>?> ReplyTo { get; init; }

    public Optional<string?> Subject { get; init; }

    public Optional<string?> Text { get; init; }

    public Optional<string?> Html { get; init; }

    public Optional<DateTime?> SendAt { get; init; }

    public IReadOnlyList<string> AddLabels { get; init; } = [];

    public IReadOnlyList<string> RemoveLabels { get; init; } = [];

    public IReadOnlyList<NewAttachment> AddAttachments { get; init; } = [];

    public IReadOnlyList<string> RemoveAttachments { get; init; } = [];

    /// <summary>When given, the update applies only if the draft is still at this version.</summary>
    public long? ExpectedVersion { get; init; }
}
