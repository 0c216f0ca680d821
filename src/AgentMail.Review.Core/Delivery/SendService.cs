using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Idempotency;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Persistence;
using AgentMail.Review.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Delivery;

/// <summary>An agent asks to send one draft now (the API's <c>drafts.send</c>).</summary>
/// <param name="Idempotency">The <c>Idempotency-Key</c> and the request's fingerprint, when the caller sent one.</param>
/// <param name="Labels">The send's <c>add_labels</c>/<c>remove_labels</c> for the resulting Message, if any.</param>
public sealed record SendRequest(Actor Requester, AccessScope Scope, string InboxId, string DraftId, (string Key, string RequestHash)? Idempotency = null, MessageLabels? Labels = null);

public enum SendReceiptStatus
{
    /// <summary>Delivered: the draft is a Message.</summary>
    Sent,

    /// <summary>Accepted and on its way: being delivered, waiting for a retry, or approved and about to leave.</summary>
    InProgress,

    /// <summary>Accepted and held for a supervisor's approval (review required, or a key that may not send alone).</summary>
    Held,

    /// <summary>Delivery failed for good, or may have happened; the draft is failed and a person decides.</summary>
    Failed,
}

/// <summary>What became of a send. The ids are fixed from the start: a held send leaves with this Message-ID.</summary>
public sealed record SendReceipt(SendReceiptStatus Status, string DraftId, string MessageId, string ThreadId, string? FailureReason = null);

/// <summary>
/// The one entry point for sending. Every rule about a send is here: permission and the review policy, recipients,
/// idempotency, the claim, and the answer. Asking again never delivers again: a send already made, under way, held or
/// failed answers what became of it. A supervisor's approval is the only way a person sends (approve = schedule at now
/// plus the undo window); the scheduler alone sends scheduled drafts.
/// </summary>
public sealed class SendService(
    IDbContextFactory<ReviewDbContext> dbFactory,
    InboxService inboxes,
    DraftsService drafts,
    DraftSender sender,
    IdempotencyKeys idempotencyKeys,
    IOptions<SchedulingOptions> scheduling,
    TimeProvider clock)
{
    public const string SendOperation = "drafts.send";

    public async Task<SendReceipt> RequestAsync(SendRequest request, CancellationToken ct = default)
    {
        if (request.Labels is { } labels)
        {
            drafts.CheckMessageLabels(labels);
        }

        var inbox = await inboxes.GetAsync(request.Scope, request.InboxId, ct);
        if (request.Idempotency is { } idempotency)
        {
            var earlier = await idempotencyKeys.UseAsync(request.Requester.Id, SendOperation, idempotency.Key, idempotency.RequestHash, request.DraftId, inbox.InboxId, ct);
            if (earlier is not null)
            {
                return await ReceiptAsync(inbox, earlier.ResourceId, ct);
            }
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var draft = await db.Drafts.AsNoTracking().FirstOrDefaultAsync(d => d.DraftId == request.DraftId && d.InboxId == inbox.InboxId, ct);
        if (draft is null || draft.State is DraftState.Sending or DraftState.Failed)
        {
            // Sent, under way or failed already: a retried request learns what became of the first.
            return await ReceiptAsync(inbox, request.DraftId, ct);
        }

        if (!draft.HasRecipients)
        {
            throw new ValidationException("to", "a draft needs at least one recipient (to, cc or bcc) to be sent");
        }

        if (request.Labels is { } messageLabels)
        {
            // On the draft before it is claimed or held, so the Message made from it carries them whenever it leaves.
            draft = await drafts.LabelForSendAsync(request.Requester, draft, messageLabels, ct);
        }

        if (!ReviewRules.SendsWithoutReview(request.Requester, inbox))
        {
            if (draft.ApprovedAt is not null && draft.State == DraftState.Scheduled)
            {
                // Approved already: it leaves at the approved time (after the supervisor's undo window), not earlier.
                return Receipt(SendReceiptStatus.InProgress, draft);
            }

            return Receipt(SendReceiptStatus.Held, await drafts.HoldSendRequestAsync(request.Requester, inbox.InboxId, draft.DraftId, ct));
        }

        var claimed = await drafts.ClaimForSendingAsync(request.Requester, draft.DraftId, draft.Version, "sent through the API", ct);
        if (claimed is null)
        {
            return await ReceiptAsync(inbox, draft.DraftId, ct);
        }

        // The delivery runs to its end whatever happens to this request; the answer waits for it only so long.
        var delivery = sender.DeliverAsync(request.Requester, claimed);
        SendOutcome outcome;
        try
        {
            outcome = await delivery.WaitAsync(scheduling.Value.ApiSendWait, clock, ct);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            return Receipt(SendReceiptStatus.InProgress, claimed);
        }

        return outcome.Result switch
        {
            SendResult.Sent => new SendReceipt(SendReceiptStatus.Sent, claimed.DraftId, outcome.Message!.MessageId, outcome.Message.ThreadId),
            SendResult.Failed => Receipt(SendReceiptStatus.Failed, claimed, outcome.FailureReason),
            _ => Receipt(SendReceiptStatus.InProgress, claimed),
        };
    }

    /// <summary>
    /// <c>messages.send</c>, <c>reply</c>, <c>reply_all</c> and <c>forward</c>: the message is written as a draft by the
    /// agent and sent through <see cref="RequestAsync"/>, so the review policy holds exactly as for drafts — held
    /// where review is required, answering the reserved ids. With an <c>Idempotency-Key</c> a retried request finds
    /// the first one's draft or message instead of writing another.
    /// </summary>
    public async Task<SendReceipt> SendNewAsync(Actor agent, AccessScope scope, string inboxId, NewDraft message, string operation, (string Key, string RequestHash)? idempotency = null, CancellationToken ct = default)
    {
        var inbox = await inboxes.GetAsync(scope, inboxId, ct);
        var draftId = Ids.New();
        if (idempotency is { } use)
        {
            var earlier = await idempotencyKeys.UseAsync(agent.Id, operation, use.Key, use.RequestHash, draftId, inbox.InboxId, ct);
            if (earlier is not null)
            {
                return await ReceiptAsync(inbox, earlier.ResourceId, ct);
            }
        }

        var errors = new DraftValidator.Errors();
        if (message.To.Count + message.Cc.Count + message.Bcc.Count == 0 && message.InReplyTo is null)
        {
            errors.Add("to", "a message needs at least one recipient (to, cc or bcc)");
        }

        errors.ThrowIfAny();
        var draft = await drafts.CreateAsync(agent, inbox.InboxId, message with { DraftId = draftId, SendAt = null }, ct);
        return await RequestAsync(new SendRequest(agent, scope, inbox.InboxId, draft.DraftId), ct);
    }

    /// <summary>
    /// A supervisor's approve-and-send: the draft is approved and scheduled for now plus <paramref name="undoWindow"/>,
    /// and the scheduler sends it then, unless the approval is undone first.
    /// </summary>
    public Task<Draft> ApproveAsync(Actor supervisor, string inboxId, string draftId, long expectedVersion, TimeSpan undoWindow, CancellationToken ct = default) =>
        drafts.ApproveAsync(supervisor, inboxId, draftId, expectedVersion, clock.UtcNowMs() + (undoWindow > TimeSpan.Zero ? undoWindow : TimeSpan.Zero), ct);

    /// <summary>The scheduler's send of a draft whose time has come, if it is still scheduled at this version.</summary>
    public Task<SendOutcome> SendDueAsync(string draftId, long version) =>
        sender.SendAsync(Actor.System, draftId, version, "scheduled send", dueBy: clock.UtcNowMs());

    /// <summary>
    /// The scheduler's send of several drafts whose time has come, each if still scheduled at its version; with a mail
    /// server, <see cref="SchedulingOptions.Workers"/> of them at a time.
    /// </summary>
    public Task<IReadOnlyList<SendOutcome>> SendDueAsync(IReadOnlyList<DueDraft> due) =>
        sender.SendDueAsync(due, "scheduled send", dueBy: clock.UtcNowMs(), inFlight: scheduling.Value.Workers);

    /// <summary>What became of the draft's send, as a retried request is answered.</summary>
    private async Task<SendReceipt> ReceiptAsync(Inbox inbox, string draftId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // The draft first: its Message replaces it in one commit, so a draft found gone has its Message on record.
        var draft = await db.Drafts.AsNoTracking().FirstOrDefaultAsync(d => d.DraftId == draftId && d.InboxId == inbox.InboxId, ct);
        if (draft is null)
        {
            var message = await db.Messages.AsNoTracking().Where(m => m.DraftId == draftId && m.InboxId == inbox.InboxId)
                .Select(m => new { m.MessageId, m.ThreadId }).FirstOrDefaultAsync(ct)
                ?? throw new NotFoundException($"draft {draftId} not found in inbox {inbox.InboxId}");
            return new SendReceipt(SendReceiptStatus.Sent, draftId, message.MessageId, message.ThreadId);
        }

        return draft.State switch
        {
            DraftState.Sending => Receipt(SendReceiptStatus.InProgress, draft),
            DraftState.Failed => Receipt(SendReceiptStatus.Failed, draft, draft.FailureReason),
            DraftState.Scheduled when draft.SendRequestedAt is not null && draft.ApprovedAt is null => Receipt(SendReceiptStatus.Held, draft),
            DraftState.Scheduled => Receipt(SendReceiptStatus.InProgress, draft),
            _ => throw new ConflictException($"draft {draftId} changed while it was being sent and is no longer queued to go; read it again and send it if it should go"),
        };
    }

    private static SendReceipt Receipt(SendReceiptStatus status, Draft draft, string? failureReason = null) =>
        new(status, draft.DraftId, MimeMessageFactory.MessageIdFor(draft.DraftId, draft.InboxId), draft.ThreadId, failureReason);
}
