using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Persistence;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentMail.Review.Core.Webhooks;

/// <summary>
/// The event log's webhook consumer: reads the log from where it left off, and for each event and each endpoint that
/// wants it writes a delivery — in the same transaction as moving its position on, so after a crash it neither
/// skips an event nor delivers one twice under a new delivery — then hands each delivery its first attempt.
/// </summary>
public sealed partial class WebhookFanOut(
    IDbContextFactory<ReviewDbContext> dbFactory,
    StoreCommit commit,
    EventSignal signal,
    IBackgroundJobClient jobs,
    TimeProvider clock,
    ILogger<WebhookFanOut> logger) : BackgroundService
{
    public const string Consumer = "webhooks";

    private const int Batch = 200;

    /// <summary>How many events may pass by without a delivery before the position is written anyway.</summary>
    private const int PersistEvery = 1000;

    private readonly SemaphoreSlim _running = new(1, 1);
    private long _position = -1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RecoverAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var woken = signal.Next;
            var read = 0;
            try
            {
                read = await FanOutAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }

            if (read < Batch)
            {
                // The pulse is the wake-up; the timeout only catches a commit whose pulse came between the read and the wait.
                await Task.WhenAny(woken, Task.Delay(TimeSpan.FromSeconds(2), clock, stoppingToken));
            }
        }
    }

    /// <summary>
    /// Turns the events after the consumer's position into deliveries; returns how many events it read or passed
    /// over. The position is the <c>event_cursors</c> row, moved on in the deliveries' own transaction and only from where this read
    /// started: when several instances read the log, the one that moves it first makes the deliveries and the others
    /// find it moved and read on from there, so no event is delivered twice under two deliveries. While no endpoint
    /// is enabled nothing can be delivered, and the position moves on in memory only (written every
    /// <see cref="PersistEvery"/> events), so a busy log with no webhooks costs no extra write.
    /// </summary>
    public async Task<int> FanOutAsync(CancellationToken ct = default)
    {
        await _running.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var webhooks = await db.Webhooks.AsNoTracking().Where(w => w.Enabled).ToListAsync(ct);
            var stored = await db.EventCursors.AsNoTracking().Where(c => c.Consumer == Consumer).Select(c => (long?)c.Position).FirstOrDefaultAsync(ct);
            var from = stored ?? 0;
            var position = webhooks.Count == 0 ? Math.Max(_position, from) : from;
            List<EventRecord> events;
            long reached;
            if (webhooks.Count == 0)
            {
                // Nothing to deliver, and an endpoint made later hears only what happens after it: skip to the end
                // without reading the events (the position stored last is where a new endpoint starts reading).
                events = [];
                reached = await db.Events.AsNoTracking().MaxAsync(e => (long?)e.Position, ct) ?? 0;
                if (reached <= position)
                {
                    return 0;
                }
            }
            else
            {
                events = await db.Events.AsNoTracking().Where(e => e.Position > position).OrderBy(e => e.Position).Take(Batch).ToListAsync(ct);
                if (events.Count == 0)
                {
                    return 0;
                }

                reached = events[^1].Position;
            }

            var now = clock.UtcNowMs();
            var created = new List<WebhookDelivery>();
            foreach (var record in events)
            {
                // An endpoint hears what happened from its creation on, not the log's history.
                foreach (var webhook in webhooks.Where(w => w.Wants(record.EventType, record.InboxId) && record.OccurredAt >= w.CreatedAt))
                {
                    created.Add(new WebhookDelivery
                    {
                        DeliveryId = Ids.New(),
                        WebhookId = webhook.WebhookId,
                        EventPosition = record.Position,
                        EventId = record.EventId,
                        EventType = record.EventType,
                        Status = DeliveryStatus.Pending,
                        NextAttemptAt = now,
                        CreatedAt = now,
                    });
                }
            }

            _position = reached;
            if (webhooks.Count > 0 || reached - from >= PersistEvery)
            {
                if (stored is null)
                {
                    await CreateCursorAsync(ct);
                }

                var moved = await commit.RunAsync(db, async () =>
                {
                    var rows = await db.EventCursors.Where(c => c.Consumer == Consumer && c.Position == from)
                        .ExecuteUpdateAsync(set => set.SetProperty(c => c.Position, reached), ct);
                    if (rows == 1)
                    {
                        db.WebhookDeliveries.AddRange(created);
                    }

                    return rows == 1;
                }, ct);
                if (!moved)
                {
                    // Another instance took these events; read on from where it left the position.
                    _position = -1;
                    return events.Count;
                }
            }

            foreach (var delivery in created)
            {
                jobs.Enqueue<WebhookDeliveryJob>(job => job.AttemptAsync(delivery.DeliveryId, 1));
            }

            return webhooks.Count == 0 ? (int)Math.Min(reached - position, int.MaxValue) : events.Count;
        }
        finally
        {
            _running.Release();
        }
    }

    /// <summary>The consumer's row, at the log's start; created once, by whichever instance first has something to write.</summary>
    private async Task CreateCursorAsync(CancellationToken ct)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            db.EventCursors.Add(new EventCursor { Consumer = Consumer, Position = 0 });
            await commit.SaveAsync(db, ct);
        }
        catch (DbUpdateException)
        {
            // Another instance created it first; moving it on from 0 then finds it moved and reads on from there.
        }
    }

    /// <summary>An admin's replay: the event goes to the endpoint again, with the same event id, as a new delivery.</summary>
    public async Task<WebhookDelivery> ReplayAsync(string deliveryId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var original = await db.WebhookDeliveries.AsNoTracking().FirstOrDefaultAsync(d => d.DeliveryId == deliveryId, ct)
            ?? throw new NotFoundException($"delivery {deliveryId} not found");
        var now = clock.UtcNowMs();
        var replay = new WebhookDelivery
        {
            DeliveryId = Ids.New(),
            WebhookId = original.WebhookId,
            EventPosition = original.EventPosition,
            EventId = original.EventId,
            EventType = original.EventType,
            Status = DeliveryStatus.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        };
        db.WebhookDeliveries.Add(replay);
        await commit.SaveAsync(db, ct);
        jobs.Enqueue<WebhookDeliveryJob>(job => job.AttemptAsync(replay.DeliveryId, 1));
        return replay;
    }

    /// <summary>At start-up: the deliveries waiting for an attempt get their jobs back (Hangfire's memory did not survive).</summary>
    public async Task RecoverAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.UtcNowMs();
        var pending = await db.WebhookDeliveries.AsNoTracking().Where(d => d.Status == DeliveryStatus.Pending).ToListAsync(ct);
        foreach (var delivery in pending)
        {
            var due = delivery.NextAttemptAt ?? now;
            var attempt = delivery.Attempts + 1;
            if (due <= now)
            {
                jobs.Enqueue<WebhookDeliveryJob>(job => job.AttemptAsync(delivery.DeliveryId, attempt));
            }
            else
            {
                jobs.Schedule<WebhookDeliveryJob>(job => job.AttemptAsync(delivery.DeliveryId, attempt), due - now);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading the event log for webhooks failed; trying again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
