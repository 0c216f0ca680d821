using AgentMail.Review.Core.Drafts;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// How console components hear about draft changes. Components only see this interface: running several instances
/// behind a SignalR backplane means swapping the implementation (for one fed by the backplane), not the components.
/// </summary>
public interface IDraftChangeStream
{
    IDisposable Subscribe(Func<DraftChange, Task> onChange);

    /// <summary>
    /// How many changes the stream has begun handing out. It grows before a change reaches any subscriber, and every
    /// change is committed before the stream hears of it, so a read that starts after this was read sees them all.
    /// </summary>
    long Position { get; }
}

/// <summary>The single-instance stream: the drafts service's own change feed.</summary>
public sealed class InProcessDraftChangeStream : IDraftChangeStream, IDisposable
{
    private readonly Lock _gate = new();
    private readonly ILogger<InProcessDraftChangeStream> _logger;
    private readonly IDisposable _feed;
    private Func<DraftChange, Task>[] _subscribers = [];
    private long _handedOut;

    public InProcessDraftChangeStream(DraftChangeFeed feed, ILogger<InProcessDraftChangeStream> logger)
    {
        _logger = logger;
        _feed = feed.Subscribe(Publish);
    }

    public long Position => Interlocked.Read(ref _handedOut);

    public IDisposable Subscribe(Func<DraftChange, Task> onChange)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, onChange];
        }

        return new Subscription(() =>
        {
            lock (_gate)
            {
                _subscribers = _subscribers.Where(s => s != onChange).ToArray();
            }
        });
    }

    private void Publish(DraftChange change)
    {
        Interlocked.Increment(ref _handedOut);
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            // Publishers must not wait for a circuit's render; the handler marshals onto the circuit itself.
            _ = Task.Run(async () =>
            {
                try
                {
                    await subscriber(change);
                }
                catch (Exception e)
                {
                    _logger.LogWarning(e, "A console subscriber failed to take draft change {DraftId}", change.DraftId);
                }
            });
        }
    }

    public void Dispose() => _feed.Dispose();

    private sealed class Subscription(Action unsubscribe) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                unsubscribe();
            }
        }
    }
}
