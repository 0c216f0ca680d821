using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AgentMail.Review.Core.Delivery;

public enum SendResult
{
    /// <summary>The draft is now a Message.</summary>
    Sent,

    /// <summary>Someone else claimed it first, or it changed since the send was asked for: nothing was done.</summary>
    NotClaimed,

    /// <summary>A transient failure: the draft is scheduled again for a later attempt.</summary>
    RetryScheduled,

    /// <summary>Delivery failed for good, or may have happened; the draft is <see cref="DraftState.Failed"/> with the reason.</summary>
    Failed,
}

public sealed record SendOutcome(SendResult Result, Message? Message = null, string? FailureReason = null);

/// <summary>
/// Delivers one claimed draft and records what became of it. Everything from building the MIME message to the
/// final commit runs inside the error handling, so a claimed draft always ends sent, scheduled again, or failed —
/// never stuck in "sending". Once claimed, a delivery is not cancelled: an abandoned request still finishes it.
/// </summary>
public sealed partial class DraftSender(
    DraftsService drafts,
    IDbContextFactory<ReviewDbContext> dbFactory,
    IMailTransport transport,
    IOptions<DeliveryOptions> options,
    TimeProvider clock,
    ILogger<DraftSender> logger)
{
    /// <summary>Claims the draft (exactly one claimer wins) and delivers it.</summary>
    public async Task<SendOutcome> SendAsync(Actor actor, string draftId, long expectedVersion, string reason, DateTime? dueBy = null, CancellationToken ct = default)
    {
        var claimed = await drafts.ClaimForSendingAsync(actor, draftId, expectedVersion, reason, ct, dueBy);
        return claimed is null ? new SendOutcome(SendResult.NotClaimed) : await DeliverAsync(actor, claimed);
    }

    /// <summary>
    /// The scheduler's send of drafts come due, in batches: each claimed in one commit, transmitted side by side, and
    /// those that left recorded in one commit. Each is claimed at its own version, and each failure to transmit is that
    /// draft's own, as for <see cref="SendAsync"/>. Should a batch's shared record fail, each is recorded on its own
    /// instead.
    /// </summary>
    /// <remarks>
    /// A mail server takes each message in a round trip of its own, which may last up to its timeout, so there a batch
    /// is <paramref name="inFlight"/> drafts: every claim is then recorded well within its lease. Where the transport
    /// delivers on commit (the Outbox), nothing waits on the network, and all of <paramref name="due"/> is one batch.
    /// </remarks>
    public async Task<IReadOnlyList<SendOutcome>> SendDueAsync(IReadOnlyList<DueDraft> due, string reason, DateTime dueBy, int inFlight)
    {
        var outcomes = new List<SendOutcome>(due.Count);
        foreach (var batch in due.Chunk(transport.DeliversOnCommit ? Math.Max(1, due.Count) : inFlight))
        {
            outcomes.AddRange(await SendBatchAsync(batch, reason, dueBy));
        }

        return outcomes;
    }

    private async Task<IReadOnlyList<SendOutcome>> SendBatchAsync(IReadOnlyList<DueDraft> due, string reason, DateTime dueBy)
    {
        var claimed = await drafts.ClaimDueForSendingAsync(due, reason, dueBy);
        var attempts = await Task.WhenAll(claimed.Select(async draft =>
        {
            try
            {
                return await TransmitAsync(Actor.System, draft);
            }
            catch (Exception e)
            {
                // Recording this draft's failure failed too: it stays claimed until its lease ends, as a single send
                // would, and the others of the batch are still recorded.
                LogUnexpected(logger, e, draft.DraftId);
                return new Attempt(null, new SendOutcome(SendResult.Failed, FailureReason: e.Message));
            }
        }));
        var outcomes = attempts.Select(a => a.Outcome).OfType<SendOutcome>().ToList();
        var left = attempts.Select(a => a.Sent).OfType<Transmission>().ToList();
        if (left.Count == 0)
        {
            return outcomes;
        }

        try
        {
            var messages = await drafts.CompleteSendsAsync(Actor.System, left);
            outcomes.AddRange(messages.Select(m => new SendOutcome(SendResult.Sent, m)));
        }
        catch (Exception e)
        {
            LogSharedRecordFailed(logger, e, left.Count);
            foreach (var sent in left)
            {
                try
                {
                    outcomes.Add(await RecordAsync(Actor.System, sent));
                }
                catch (Exception)
                {
                    // Logged, and the draft scheduled again or failed, by RecordAsync.
                    outcomes.Add(new SendOutcome(transport.DeliversOnCommit ? SendResult.RetryScheduled : SendResult.Failed));
                }
            }
        }

        return outcomes;
    }

    public async Task<SendOutcome> DeliverAsync(Actor actor, Draft claimed)
    {
        var attempt = await TransmitAsync(actor, claimed);
        return attempt.Sent is { } sent ? await RecordAsync(actor, sent) : attempt.Outcome!;
    }

    /// <summary>Builds the message and hands it to the transport; a failure ends here, scheduled again or failed.</summary>
    private async Task<Attempt> TransmitAsync(Actor actor, Draft claimed)
    {
        try
        {
            if (!claimed.HasRecipients)
            {
                throw new DeliveryException("the draft has no recipients (to, cc or bcc)", DeliveryFailure.Permanent);
            }

            var (inbox, mime) = await BuildAsync(claimed);
            var transmitted = await MimeWireFormat.ToBytesAsync(mime);
            var recorded = await transport.DeliverAsync(mime, CancellationToken.None);
            return new Attempt(new Transmission(claimed, inbox.InboxId, MimeMessageFactory.MessageIdFor(claimed, inbox), transmitted, recorded), null);
        }
        catch (DeliveryException e) when (e.Failure == DeliveryFailure.Transient && claimed.DeliveryAttempts + 1 < options.Value.MaxAttempts)
        {
            var delay = options.Value.RetryDelay(claimed.DeliveryAttempts + 1);
            LogRetry(logger, claimed.DraftId, claimed.DeliveryAttempts + 1, delay, e.Message);
            await drafts.RetryLaterAsync(Actor.System, claimed, clock.UtcNowMs() + delay, $"retrying: {e.Message}");
            return new Attempt(null, new SendOutcome(SendResult.RetryScheduled, FailureReason: e.Message));
        }
        catch (DeliveryException e)
        {
            var attempts = claimed.DeliveryAttempts + 1;
            var reason = e.Failure == DeliveryFailure.Transient ? $"{e.Message} (gave up after {attempts} {(attempts == 1 ? "attempt" : "attempts")})" : e.Message;
            var notice = e.Failure != DeliveryFailure.Permanent ? FailureNotice.None : e.Bounced ? FailureNotice.Bounced : FailureNotice.Rejected;
            return new Attempt(null, await FailAsync(actor, claimed, reason, notice));
        }
        catch (Exception e)
        {
            // Building the message or reading the store failed before anything left: a person can see and act on it.
            LogUnexpected(logger, e, claimed.DraftId);
            return new Attempt(null, await FailAsync(actor, claimed, $"delivery failed before the message left: {e.Message}"));
        }
    }

    /// <summary>Records a transmitted draft as its Message; if that fails, the draft never stays claimed.</summary>
    private async Task<SendOutcome> RecordAsync(Actor actor, Transmission sent)
    {
        try
        {
            return new SendOutcome(SendResult.Sent, await drafts.CompleteSendAsync(actor, sent, CancellationToken.None));
        }
        catch (Exception e)
        {
            LogUnexpected(logger, e, sent.Claimed.DraftId);
            if (transport.DeliversOnCommit)
            {
                // Nothing was recorded, so nothing was delivered: try again later.
                await drafts.RetryLaterAsync(Actor.System, sent.Claimed, clock.UtcNowMs() + options.Value.RetryDelay(1), $"retrying: recording the message failed ({e.Message})");
                throw;
            }

            // The server has it; only the record is missing. Never "failed", never sent again by itself.
            await drafts.MarkFailedAsync(actor, sent.Claimed, $"delivery uncertain: the mail server accepted the message but recording the send failed ({e.Message}); do not send it again");
            throw;
        }
    }

    private async Task<SendOutcome> FailAsync(Actor actor, Draft claimed, string reason, FailureNotice notice = FailureNotice.None)
    {
        await drafts.MarkFailedAsync(actor, claimed, reason, notice: notice);
        return new SendOutcome(SendResult.Failed, FailureReason: reason);
    }

    private async Task<(Inbox Inbox, MimeMessage Mime)> BuildAsync(Draft claimed)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var inbox = await db.Inboxes.AsNoTracking().FirstAsync(i => i.InboxId == claimed.InboxId);
        var attachmentIds = claimed.Attachments.Select(a => a.AttachmentId).ToList();
        var contents = await db.AttachmentContents.AsNoTracking()
            .Where(c => attachmentIds.Contains(c.AttachmentId))
            .ToDictionaryAsync(c => c.AttachmentId, c => c.Data);
        return (inbox, MimeMessageFactory.Create(claimed, inbox, contents, clock.UtcNowMs()));
    }

    /// <summary>A draft's send: transmitted (and waiting to be recorded), or ended with this outcome.</summary>
    private sealed record Attempt(Transmission? Sent, SendOutcome? Outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {Count} sent drafts in one commit failed; recording each on its own")]
    private static partial void LogSharedRecordFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery of draft {DraftId} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string draftId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of draft {DraftId} failed on attempt {Attempt}; retrying in {Delay}: {Reason}")]
    private static partial void LogRetry(ILogger logger, string draftId, int attempt, TimeSpan delay, string reason);
}
