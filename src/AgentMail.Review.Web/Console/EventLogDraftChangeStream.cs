using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Events;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// Every instance's draft changes, for consoles when several instances share one store: it tails the event log from
/// where the log stood when this instance started, woken by <see cref="EventSignal"/> (pulsed by this instance's
/// commits and, on PostgreSQL, by every other instance's through LISTEN/NOTIFY), and turns each <c>draft.*</c> event's
/// snapshot into a <see cref="DraftChange"/>. The log commits in position order, so reading after the last position
/// seen misses nothing; a missed wake-up only delays a change until the next poll.
/// </summary>
public sealed class EventLogDraftChangeStream(EventLogReader log, EventSignal signal, TimeProvider clock, ILogger<EventLogDraftChangeStream> logger)
    : BackgroundService, IDraftChangeStream
{
    private const int BatchSize = 500;

    /// <summary>How long a tail waits without a wake-up before reading the log anyway.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private Func<DraftChange, Task>[] _subscribers = [];
    private long _handedOut;

    public long Position => Interlocked.Read(ref _handedOut);

    public IDisposable Subscribe(Func<DraftChange, Task> onChange)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, onChange];
        }

        return new Subscription(this, onChange);
    }

    /// <summary>The change an event tells of, or null for events that are not about a draft in the queue.</summary>
    public static DraftChange? ToChange(EventRecord record)
    {
        var kind = record.EventType switch
        {
            EventTypes.DraftCreated => DraftChangeKind.Created,
            EventTypes.DraftDeleted => DraftChangeKind.Deleted,
            EventTypes.DraftSent => DraftChangeKind.Sent,
            EventTypes.DraftUpdated or EventTypes.DraftScheduled or EventTypes.DraftApproved
                or EventTypes.DraftChangesRequested or EventTypes.DraftFailed => DraftChangeKind.Updated,
            // message.sent tells of the same commit as draft.sent; message.* events are about messages.
            _ => (DraftChangeKind?)null,
        };
        if (kind is null || EventLog.ReadFacts(record) is not { Draft: { } draft } facts)
        {
            return null;
        }

        // draft.sent keeps the claimed draft; the in-process feed says the version its removal ended.
        var version = kind == DraftChangeKind.Sent ? draft.Version + 1 : draft.Version;
        return new DraftChange(kind.Value, draft.DraftId, draft.InboxId, version, draft.State, draft.SendAt, ActorOf(facts.Actor), record.OccurredAt, record.MessageId);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long? position = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var woken = signal.Next;
            try
            {
                // Changes committed before this instance started are already in what its consoles load.
                position ??= await log.LatestPositionAsync(stoppingToken);
                var events = await log.ReadAfterAsync(position.Value, BatchSize, stoppingToken);
                foreach (var record in events)
                {
                    if (ToChange(record) is { } change)
                    {
                        Publish(change);
                    }

                    position = record.Position;
                }

                if (events.Count == BatchSize)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The store may be down for a moment; the consoles catch up from the same position once it is back.
                logger.LogWarning(e, "Reading the event log for the consoles' live stream failed; trying again");
            }

            try
            {
                await Task.WhenAny(woken, Task.Delay(Poll, clock, stoppingToken));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Publish(DraftChange change)
    {
        Interlocked.Increment(ref _handedOut);
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            // Not awaited: one circuit's render must not hold up the others or the tail. A subscriber runs here up
            // to its first await, so each one is handed the changes in the log's order.
            _ = Observe(subscriber, change);
        }
    }

    private async Task Observe(Func<DraftChange, Task> subscriber, DraftChange change)
    {
        try
        {
            await subscriber(change);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "A console subscriber failed to take draft change {DraftId}", change.DraftId);
        }
    }

    private static Actor ActorOf(EventActor? actor) => actor is null
        ? Actor.System
        : new Actor(Enum.TryParse<ActorKind>(actor.Kind, ignoreCase: true, out var kind) ? kind : ActorKind.System, actor.Id ?? actor.Name, actor.Name);

    private void Unsubscribe(Func<DraftChange, Task> subscriber)
    {
        lock (_gate)
        {
            _subscribers = _subscribers.Where(s => s != subscriber).ToArray();
        }
    }

    private sealed class Subscription(EventLogDraftChangeStream stream, Func<DraftChange, Task> subscriber) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                stream.Unsubscribe(subscriber);
            }
        }
    }
}
