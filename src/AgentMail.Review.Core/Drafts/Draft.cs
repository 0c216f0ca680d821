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

    /// <summary>Why the draft was taken off the schedule by itself (a reply arrived in its thread); cleared when it is scheduled again.</summary>
    public string? HeldReason { get; set; }

    /// <summary>
    /// The supervisor who approved this content for sending. Any edit of what the recipients would read clears it,
    /// so an approval never covers words nobody reviewed. Review-required inboxes send only approved drafts on their own.
    /// </summary>
    public string? ApprovedBy { get; set; }

    public DateTime? ApprovedAt { get; set; }

    /// <summary>
    /// Whether whoever last wrote or scheduled this draft may send without a person: an agent's key with send
    /// permission. An agent without it can still write and schedule, but the draft then waits for an approval.
    /// </summary>
    public bool AgentMaySend { get; set; }

    /// <summary>An agent asked to send this draft where it may not send alone: held for a supervisor's approval.</summary>
    public DateTime? SendRequestedAt { get; set; }

    public string? SendRequestedBy { get; set; }

    /// <summary>A supervisor sent the draft back to its agent with this reason; cleared when the agent revises it or a supervisor approves it.</summary>
    public string? ChangesRequested { get; set; }

    public string? ChangesRequestedBy { get; set; }

    public DateTime? ChangesRequestedAt { get; set; }

    /// <summary>The content as the agent last wrote it (null for a draft a person wrote): what the supervisor's edits are shown against.</summary>
    // Not in event snapshots: agents are told what the draft is, not a second copy of what they wrote.
    [System.Text.Json.Serialization.JsonIgnore]
    public DraftText? AgentVersion { get; set; }

    /// <summary>The instance delivering it, while <see cref="DraftState.Sending"/>.</summary>
    public string? ClaimedBy { get; set; }

    /// <summary>Until when the claim holds: a delivery takes at most this long, so a claim past it has lost its owner.</summary>
    public DateTime? ClaimExpiresAt { get; set; }

    /// <summary>Delivery attempts that failed transiently since it was last scheduled by someone.</summary>
    public int DeliveryAttempts { get; set; }

    public DateTime CreatedAt { get; init; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>Bumped by every change; a writer that read an older version loses (optimistic concurrency).</summary>
    public long Version { get; set; }

    public bool HasRecipients => To.Count + Cc.Count + Bcc.Count > 0;

    /// <summary>Sets or clears the send time; a new schedule starts the delivery attempts afresh.</summary>
    public void Schedule(DateTime? sendAt)
    {
        SendAt = sendAt;
        FailureReason = null;
        HeldReason = null;
        DeliveryAttempts = 0;
        Labels.Remove(ScheduledLabel);
        if (sendAt is null)
        {
            State = DraftState.Pending;
            SendRequestedAt = null;
            SendRequestedBy = null;
        }
        else
        {
            State = DraftState.Scheduled;
            Labels = [.. Labels, ScheduledLabel];
        }
    }

    /// <summary>A supervisor lets this content go at <paramref name="sendAt"/>.</summary>
    public void Approve(string approvedBy, DateTime now, DateTime sendAt)
    {
        Schedule(sendAt < now ? now : sendAt);
        ClearChangesRequest();
        ApprovedBy = approvedBy;
        ApprovedAt = now;
    }

    /// <summary>The approval was for the content as it was; new content needs its own.</summary>
    public void WithdrawApproval()
    {
        ApprovedBy = null;
        ApprovedAt = null;
    }

    /// <summary>
    /// An agent asked to send where it may not send alone: the draft becomes due now and waits, marked, for a
    /// supervisor. It keeps its id, so the Message-ID the agent was given is the one it leaves with.
    /// </summary>
    public void HoldSendRequest(string requestedBy, DateTime now)
    {
        if (State != DraftState.Scheduled || SendAt > now)
        {
            Schedule(now);
        }

        SendRequestedAt = now;
        SendRequestedBy = requestedBy;
    }

    /// <summary>
    /// A reply arrived in this draft's thread: it goes back to waiting for a person, saying why. An approval given
    /// before the reply was for a conversation that has moved on, so it goes too.
    /// </summary>
    public void HoldForReply(string reason)
    {
        Schedule(null);
        WithdrawApproval();
        HeldReason = reason;
    }

    /// <summary>
    /// A supervisor sends the draft back to its agent: off the schedule and out of the approval queue, any approval and
    /// held send request withdrawn, the reason kept for the agent to read.
    /// </summary>
    public void RequestChanges(string requestedBy, string reason, DateTime now)
    {
        Schedule(null);
        WithdrawApproval();
        ChangesRequested = reason;
        ChangesRequestedBy = requestedBy;
        ChangesRequestedAt = now;
    }

    public void ClearChangesRequest()
    {
        ChangesRequested = null;
        ChangesRequestedBy = null;
        ChangesRequestedAt = null;
    }

    /// <summary>The agent wrote this content: it is the version a supervisor's changes are shown against.</summary>
    public void KeepAsAgentVersion() => AgentVersion = DraftText.Of(this);

    /// <summary>Which fields differ from what the agent wrote (empty when nothing does, or no agent wrote it).</summary>
    public IReadOnlyList<string> ChangesFromAgentVersion() => AgentVersion is null ? [] : DraftText.ChangedFields(AgentVersion, DraftText.Of(this));

    /// <summary>A transient failure: the draft goes back to the schedule, to be claimed again at <paramref name="retryAt"/>.</summary>
    public void ScheduleRetry(DateTime retryAt, string reason)
    {
        State = DraftState.Scheduled;
        SendAt = retryAt;
        FailureReason = reason;
        DeliveryAttempts++;
        ClaimedBy = null;
        ClaimExpiresAt = null;
        if (!Labels.Contains(ScheduledLabel))
        {
            Labels = [.. Labels, ScheduledLabel];
        }
    }

    /// <summary>The wire <c>send_status</c>: absent while pending.</summary>
    public string? SendStatus => State switch
    {
        DraftState.Scheduled => "scheduled",
        DraftState.Sending => "sending",
        DraftState.Failed => "failed",
        _ => null,
    };
}
