namespace AgentMail.Review.Core.Drafts;

/// <summary>What the API lists about an attachment; its bytes live in <see cref="AttachmentContent"/>.</summary>
public sealed class AttachmentInfo
{
    public required string AttachmentId { get; init; }

    public string? Filename { get; init; }

    public string? ContentType { get; init; }

    public string? ContentDisposition { get; init; }

    public string? ContentId { get; init; }

    public long Size { get; init; }
}

public sealed class AttachmentContent
{
    public required string AttachmentId { get; init; }

    public required byte[] Data { get; init; }
}
