using System.ComponentModel.DataAnnotations;

namespace AgentMail.Review.Core.Drafts;

/// <summary>Size limits for drafts, bound from <c>Review:Limits</c>.</summary>
public sealed class DraftLimits
{
    public const string Section = "Review:Limits";

    [Range(1, 10_000)]
    public int MaxRecipients { get; set; } = 100;

    [Range(1, 100 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 2 * 1024 * 1024;

    [Range(1, 100 * 1024 * 1024)]
    public int MaxAttachmentBytes { get; set; } = 10 * 1024 * 1024;

    [Range(1, 200 * 1024 * 1024)]
    public int MaxTotalAttachmentBytes { get; set; } = 25 * 1024 * 1024;

    [Range(1, 1000)]
    public int MaxAttachments { get; set; } = 20;

    [Range(1, 1000)]
    public int MaxLabels { get; set; } = 50;

    [Range(1, 1000)]
    public int MaxLabelLength { get; set; } = 100;

    [Range(1, 10_000)]
    public int MaxSubjectLength { get; set; } = 998;

    /// <summary>The largest request body the API reads: attachments travel base64-encoded, so a third more.</summary>
    public long MaxRequestBytes => (long)(MaxTotalAttachmentBytes * 4L / 3) + 2L * MaxBodyBytes + 1024 * 1024;
}
