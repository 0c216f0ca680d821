using Microsoft.Extensions.Logging;

namespace AgentMail.Review.Core.Drafts;

/// <summary>
/// Where committed draft changes are published, once each, after their transaction. Subscribers (the scheduler,
/// the SignalR hub) must return quickly; one that throws is logged and does not stop the others.
/// </summary>
public sealed class DraftChangeFeed(ILogger<DraftChangeFeed> logger)
{
    private readonly Lock _gate = new();
    private Action<DraftChange>[] _subscribers = [];

    public IDisposable Subscribe(Action<DraftChange> subscriber)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscriber];
        }

        return new Subscription(this, subscriber);
    }

    public void Publish(DraftChange change)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            try
            {
                subscriber(change);
            }
            catch (Exception e)
            {
                logger.LogError(e, "A draft change subscriber failed for {DraftId} ({Kind})", change.DraftId, change.Kind);
            }
        }
    }

    private void Unsubscribe(Action<DraftChange> subscriber)
    {
        lock (_gate)
        {
            _subscribers = _subscribers.Where(s => s != subscriber).ToArray();
        }
    }

    private sealed class Subscription(DraftChangeFeed feed, Action<DraftChange> subscriber) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                feed.Unsubscribe(subscriber);
            }
        }
    }
}
