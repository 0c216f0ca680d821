using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Delivery;

public enum SendResult
{
    /// <summary>The draft is now a Message.</summary>
    Sent,

    /// <summary>Someone else claimed it first, or it changed since the send was asked for: nothing was done.</summary>
    NotClaimed,

    /// <summary>Delivery failed for good; the draft is <see cref="DraftState.Failed"/> with the reason.</summary>
    Failed,
}

public sealed record SendOutcome(SendResult Result, Message? Message = null, string? FailureReason = null);

/// <summary>
/// Sends one draft: claims it (exactly one claimer wins), delivers it through the configured transport with bounded
/// retries for transient failures, then records the Message and removes the draft, or marks it failed.
/// </summary>
public sealed partial class DraftSender(
    DraftsService drafts,
    IDbContextFactory<ReviewDbContext> dbFactory,
    IMailTransport transport,
    IOptions<DeliveryOptions> options,
    TimeProvider clock,
    ILogger<DraftSender> logger)
{
    public async Task<SendOutcome> SendAsync(Actor actor, string draftId, long expectedVersion, string reason, string? idempotencyKey = null, CancellationToken ct = default, DateTime? dueBy = null)
    {
        var claimed = await drafts.ClaimForSendingAsync(actor, draftId, expectedVersion, reason, ct, dueBy);
        if (claimed is null)
        {
            return new SendOutcome(SendResult.NotClaimed);
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var inbox = await db.Inboxes.AsNoTracking().FirstAsync(i => i.InboxId == claimed.InboxId, ct);
        var attachmentIds = claimed.Attachments.Select(a => a.AttachmentId).ToList();
        var contents = await db.AttachmentContents.AsNoTracking()
            .Where(c => attachmentIds.Contains(c.AttachmentId))
            .ToDictionaryAsync(c => c.AttachmentId, c => c.Data, ct);
        var mime = MimeMessageFactory.Create(claimed, inbox, contents, clock.UtcNowMs());

        var settings = options.Value;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await transport.DeliverAsync(mime, ct);
                break;
            }
            catch (DeliveryException e) when (e.Transient && attempt < settings.MaxAttempts)
            {
                var delay = settings.RetryDelay(attempt);
                LogRetry(logger, draftId, attempt, delay, e.Message);
                await Task.Delay(delay, clock, ct);
            }
            catch (DeliveryException e)
            {
                var failure = e.Transient ? $"{e.Message} (gave up after {attempt} {(attempt == 1 ? "attempt" : "attempts")})" : e.Message;
                await drafts.MarkFailedAsync(actor, claimed, failure, CancellationToken.None);
                return new SendOutcome(SendResult.Failed, FailureReason: failure);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Anything unforeseen still ends in a state a person can see and act on, never a stuck "sending".
                var failure = $"delivery failed unexpectedly: {e.Message}";
                LogUnexpected(logger, e, draftId);
                await drafts.MarkFailedAsync(actor, claimed, failure, CancellationToken.None);
                return new SendOutcome(SendResult.Failed, FailureReason: failure);
            }
        }

        var size = await MeasureAsync(mime, ct);
        var message = await drafts.CompleteSendAsync(actor, claimed, inbox.InboxId, MimeMessageFactory.MessageIdFor(claimed, inbox), size, idempotencyKey, CancellationToken.None);
        return new SendOutcome(SendResult.Sent, message);
    }

    /// <summary>The size as transmitted: Bcc recipients travel in the envelope, not in the headers.</summary>
    private static async Task<long> MeasureAsync(MimeKit.MimeMessage mime, CancellationToken ct)
    {
        var format = MimeKit.FormatOptions.Default.Clone();
        format.HiddenHeaders.Add(MimeKit.HeaderId.Bcc);
        using var counter = new MimeKit.IO.MeasuringStream();
        await mime.WriteToAsync(format, counter, ct);
        return counter.Length;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery of draft {DraftId} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string draftId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of draft {DraftId} failed on attempt {Attempt}; retrying in {Delay}: {Reason}")]
    private static partial void LogRetry(ILogger logger, string draftId, int attempt, TimeSpan delay, string reason);
}
