namespace AgentMail.Review.Core.Drafts;

public sealed class Draft
{
    public const string ScheduledLabel = "scheduled";

    public required string DraftId { get; init; }

    public required string InboxId { get; init; }

    public string? ClientId { get; set; }

    public List<string> To { get; set; } = [];

    public List<string> Cc { get; set; } = [];

    public List<string> Bcc { get; set; } = [];

    public List<string> ReplyTo { get; set; } = [];

    public List<string> Labels { get; set; } = [];

    /// <summary>
    /// The labels as shown: "scheduled" only while the draft is scheduled. A claim or a failed send changes the state
    /// in one conditional update and leaves the stored list as it was; a list filtered by "scheduled" asks for the state.
    /// </summary>
    public IReadOnlyList<string> CurrentLabels => LabelsShown(State, Labels);

    public static IReadOnlyList<string> LabelsShown(DraftState state, IReadOnlyList<string> stored) =>
        state == DraftState.Scheduled ? stored : stored.Where(l => l != ScheduledLabel).ToList();

    public string? Subject { get; set; }

    public string? Text { get; set; }

    public string? Html { get; set; }

    public string? Preview { get; set; }

    public string? InReplyTo { get; set; }

    public List<string> References { get; set; } = [];

    /// <summary>Thread this draft belongs to once sent: the replied-to message's thread, or a new one.</summary>
    public required string ThreadId { get; init; }

    public List<AttachmentInfo> Attachments { get; set; } = [];

    public DateTime? SendAt { get; set; }

    public DraftState State { get; set; }

    public string? FailureReason { get; set; }

    /// <summary>
    /// The supervisor who approved this content for sending. Any edit of what the recipients would read clears it,
    /// so an approval never covers words nobody reviewed. Review-required inboxes send only approved drafts on their own.
    /// </summary>
    public string? ApprovedBy { get; set; }

    public DateTime? ApprovedAt { get; set; }

    public DateTime CreatedAt { get; init; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>Bumped by every change; a writer that read an older version loses (optimistic concurrency).</summary>
    public long Version { get; set; }

    /// <summary>The wire <c>send_status</c>: absent while pending.</summary>
    public string? SendStatus => State switch
    {
        DraftState.Scheduled => "scheduled",
        DraftState.Sending => "sending",
        DraftState.Failed => "failed",
        _ => null,
    };
}
