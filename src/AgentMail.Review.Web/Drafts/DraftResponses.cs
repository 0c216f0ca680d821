using AgentMail.Review.Core.Drafts;

namespace AgentMail.Review.Web.Drafts;

public sealed record AttachmentResponse(string AttachmentId, string? Filename, long Size, string? ContentType, string? ContentDisposition, string? ContentId)
{
    public static AttachmentResponse From(AttachmentInfo a) => new(a.AttachmentId, a.Filename, a.Size, a.ContentType, a.ContentDisposition, a.ContentId);
}

/// <summary>AgentMail's <c>Draft</c>.</summary>
public sealed record DraftResponse(
    string InboxId,
    string DraftId,
    string? ClientId,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string>? ReplyTo,
    IReadOnlyList<string>? To,
    IReadOnlyList<string>? Cc,
    IReadOnlyList<string>? Bcc,
    string? Subject,
    string? Preview,
    string? Text,
    string? Html,
    IReadOnlyList<AttachmentResponse>? Attachments,
    string? InReplyTo,
    IReadOnlyList<string>? References,
    string? SendStatus,
    DateTime? SendAt,
    string? FailureReason,
    DateTime? SendRequestedAt,
    string? HeldReason,
    long Version,
    DateTime UpdatedAt,
    DateTime CreatedAt,
    string? ChangesRequested = null,
    DateTime? ChangesRequestedAt = null)
{
    /// <remarks><c>changes_requested</c> (with <c>changes_requested_at</c>) is this product's addition: a supervisor's reason for sending the draft back.</remarks>
    public static DraftResponse From(Draft d) => new(
        d.InboxId, d.DraftId, d.ClientId, d.CurrentLabels, NullIfEmpty(d.ReplyTo), NullIfEmpty(d.To), NullIfEmpty(d.Cc), NullIfEmpty(d.Bcc),
        d.Subject, d.Preview, d.Text, d.Html, d.Attachments.Count == 0 ? null : d.Attachments.Select(AttachmentResponse.From).ToList(),
        d.InReplyTo, NullIfEmpty(d.References), d.SendStatus, d.SendAt, d.FailureReason, d.SendRequestedAt, d.HeldReason, d.Version, d.UpdatedAt, d.CreatedAt,
        d.ChangesRequested, d.ChangesRequestedAt);

    internal static IReadOnlyList<string>? NullIfEmpty(List<string> values) => values.Count == 0 ? null : values;
}

/// <summary>AgentMail's <c>DraftItem</c>: a list row, without the bodies.</summary>
public sealed record DraftItemResponse(
    string InboxId,
    string DraftId,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string>? To,
    IReadOnlyList<string>? Cc,
    IReadOnlyList<string>? Bcc,
    string? Subject,
    string? Preview,
    IReadOnlyList<AttachmentResponse>? Attachments,
    string? InReplyTo,
    string? SendStatus,
    DateTime? SendAt,
    long Version,
    DateTime UpdatedAt)
{
    public static DraftItemResponse From(Draft d) => new(
        d.InboxId, d.DraftId, d.CurrentLabels, DraftResponse.NullIfEmpty(d.To), DraftResponse.NullIfEmpty(d.Cc), DraftResponse.NullIfEmpty(d.Bcc),
        d.Subject, d.Preview, d.Attachments.Count == 0 ? null : d.Attachments.Select(AttachmentResponse.From).ToList(),
        d.InReplyTo, d.SendStatus, d.SendAt, d.Version, d.UpdatedAt);
}

public sealed record ListDraftsResponse(int Count, int Limit, string? NextPageToken, IReadOnlyList<DraftItemResponse> Drafts);

public sealed record SendDraftResponse(string MessageId, string ThreadId);

/// <summary>Documents the send body (AgentMail's <c>UpdateMessageRequest</c>): labels for the resulting Message.</summary>
public sealed record SendDraftRequest(IReadOnlyList<string>? AddLabels, IReadOnlyList<string>? RemoveLabels);

/// <summary>Documents the create body for the OpenAPI document; the endpoint reads the body field by field.</summary>
public sealed record CreateDraftRequest(
    IReadOnlyList<string>? Labels,
    IReadOnlyList<string>? ReplyTo,
    IReadOnlyList<string>? To,
    IReadOnlyList<string>? Cc,
    IReadOnlyList<string>? Bcc,
    string? Subject,
    string? Text,
    string? Html,
    IReadOnlyList<SendAttachmentRequest>? Attachments,
    string? InReplyTo,
    bool? ReplyAll,
    DateTime? SendAt,
    string? ClientId);

public sealed record UpdateDraftRequest(
    IReadOnlyList<string>? ReplyTo,
    IReadOnlyList<string>? To,
    IReadOnlyList<string>? Cc,
    IReadOnlyList<string>? Bcc,
    string? Subject,
    string? Text,
    string? Html,
    IReadOnlyList<SendAttachmentRequest>? AddAttachments,
    IReadOnlyList<string>? RemoveAttachments,
    IReadOnlyList<string>? AddLabels,
    IReadOnlyList<string>? RemoveLabels,
    DateTime? SendAt);

public sealed record SendAttachmentRequest(string? Filename, string? ContentType, string? ContentDisposition, string? ContentId, string? Content);
