using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Persistence;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Webhooks;

/// <summary>
/// One attempt to deliver one event to one endpoint, as a Hangfire job whose arguments are the delivery's id and
/// the attempt's number. A failed attempt schedules the next on Svix's schedule and returns: no worker waits. The
/// attempt is claimed with one conditional update first, so a job and the sweep racing for it deliver it once.
/// </summary>
public sealed partial class WebhookDeliveryJob(
    IDbContextFactory<ReviewDbContext> dbFactory,
    StoreCommit commit,
    WebhookHttp http,
    IEventPayloads payloads,
    IBackgroundJobClient jobs,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<WebhookDeliveryJob> logger)
{
    public const string SweepJobId = "webhook-due-sweep";

    /// <summary>How long an attempt's claim holds before the sweep may try again (the process may have died mid-attempt).</summary>
    private TimeSpan Lease => options.Value.Timeout * 2;

    [AutomaticRetry(Attempts = 0)]
    public async Task AttemptAsync(string deliveryId, int attempt)
    {
        var now = clock.UtcNowMs();
        await using var db = await dbFactory.CreateDbContextAsync();
        var leaseEnds = now + Lease;
        var claimed = await commit.RunAsync(db, () => db.WebhookDeliveries
            .Where(d => d.DeliveryId == deliveryId && d.Status == DeliveryStatus.Pending && d.Attempts == attempt - 1 && d.NextAttemptAt <= now)
            .ExecuteUpdateAsync(set => set.SetProperty(d => d.Attempts, attempt).SetProperty(d => d.NextAttemptAt, leaseEnds).SetProperty(d => d.LastAttemptAt, now)), CancellationToken.None);
        if (claimed == 0)
        {
            return;
        }

        var delivery = await db.WebhookDeliveries.FirstAsync(d => d.DeliveryId == deliveryId);
        var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.WebhookId == delivery.WebhookId);
        if (webhook is null || !webhook.Enabled)
        {
            delivery.Status = DeliveryStatus.Cancelled;
            delivery.NextAttemptAt = null;
            delivery.LastError = webhook is null ? "the endpoint was deleted" : $"the endpoint is disabled: {webhook.DisabledReason}";
            await commit.SaveAsync(db, CancellationToken.None);
            return;
        }

        var record = await db.Events.AsNoTracking().FirstAsync(e => e.Position == delivery.EventPosition);
        var body = payloads.Render(record);
        var result = await http.PostAsync(webhook.Url, body, WebhookSignature.Headers(webhook.Secret, record.EventId, clock.GetUtcNow(), body), CancellationToken.None);

        now = clock.UtcNowMs();
        delivery.LastAttemptAt = now;
        delivery.LastStatusCode = result.StatusCode;
        delivery.LastResponse = result.Response;
        delivery.LastError = result.Error;
        delivery.NextAttemptAt = null;
        TimeSpan? retryIn = null;
        if (result.Succeeded)
        {
            delivery.Status = DeliveryStatus.Succeeded;
            webhook.FailingSince = null;
        }
        else if (result.StatusCode == 410)
        {
            delivery.Status = DeliveryStatus.Failed;
            Disable(webhook, "the endpoint answered 410 Gone", now);
        }
        else
        {
            webhook.FailingSince ??= now;
            if (now - webhook.FailingSince >= options.Value.DisableAfter)
            {
                delivery.Status = DeliveryStatus.Failed;
                Disable(webhook, $"every attempt since {webhook.FailingSince:yyyy-MM-dd HH:mm} UTC failed", now);
            }
            else if (attempt < WebhookOptions.RetrySchedule.Count)
            {
                retryIn = WebhookOptions.RetrySchedule[attempt];
                delivery.NextAttemptAt = now + retryIn.Value;
            }
            else
            {
                delivery.Status = DeliveryStatus.Failed;
            }
        }

        await commit.SaveAsync(db, CancellationToken.None);
        if (retryIn is { } delay)
        {
            LogRetry(logger, record.EventId, webhook.WebhookId, attempt, result.StatusCode?.ToString() ?? result.Error ?? "", delay);
            jobs.Schedule<WebhookDeliveryJob>(job => job.AttemptAsync(deliveryId, attempt + 1), delay);
        }
    }

    /// <summary>
    /// The recurring catch-all: a delivery due for a while that no job came for (lost in a restart, or an attempt
    /// cut off by one) gets its job now.
    /// </summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task SweepAsync()
    {
        var overdue = clock.UtcNowMs() - TimeSpan.FromSeconds(10);
        await using var db = await dbFactory.CreateDbContextAsync();
        var due = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= overdue)
            .Select(d => new { d.DeliveryId, d.Attempts })
            .Take(1000)
            .ToListAsync();
        foreach (var d in due)
        {
            jobs.Enqueue<WebhookDeliveryJob>(job => job.AttemptAsync(d.DeliveryId, d.Attempts + 1));
        }
    }

    private void Disable(Webhook webhook, string reason, DateTime now)
    {
        webhook.Enabled = false;
        webhook.DisabledReason = reason;
        webhook.UpdatedAt = now;
        LogDisabled(logger, webhook.WebhookId, webhook.Url, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery of {EventId} to {WebhookId} failed on attempt {Attempt} ({Outcome}); next attempt in {Delay}")]
    private static partial void LogRetry(ILogger logger, string eventId, string webhookId, int attempt, string outcome, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} ({Url}) disabled: {Reason}")]
    private static partial void LogDisabled(ILogger logger, string webhookId, string url, string reason);
}
