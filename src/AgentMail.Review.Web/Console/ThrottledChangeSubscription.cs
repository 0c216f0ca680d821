using AgentMail.Review.Core.Drafts;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// A component's subscription to draft changes that hands them over in batches: at most one refresh is in flight,
/// and everything that arrives meanwhile is coalesced into the next one. A burst of a hundred changes costs two
/// refreshes, not a hundred; a lone change is handed over at once.
/// </summary>
public sealed class ThrottledChangeSubscription : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Func<IReadOnlyList<DraftChange>, Task> _refresh;
    private readonly ILogger? _logger;
    private readonly IDisposable _subscription;
    private List<DraftChange> _pending = [];
    private bool _running;
    private bool _disposed;

    /// <param name="refresh">Runs on the component's own thread (wrap it in <c>InvokeAsync</c>); never twice at once.</param>
    public ThrottledChangeSubscription(IDraftChangeStream stream, Func<IReadOnlyList<DraftChange>, Task> refresh, ILogger? logger = null)
    {
        _refresh = refresh;
        _logger = logger;
        _subscription = stream.Subscribe(OnChangeAsync);
    }

    /// <summary>Refreshes started so far; for tests and diagnostics.</summary>
    public int Refreshes { get; private set; }

    private Task OnChangeAsync(DraftChange change)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.CompletedTask;
            }

            _pending.Add(change);
            if (_running)
            {
                return Task.CompletedTask;
            }

            _running = true;
        }

        return DrainAsync();
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<DraftChange> batch;
            lock (_gate)
            {
                if (_disposed || _pending.Count == 0)
                {
                    _running = false;
                    return;
                }

                batch = _pending;
                _pending = [];
                Refreshes++;
            }

            try
            {
                await _refresh(batch);
            }
            catch (Exception e)
            {
                // One failed refresh must not stop the live updates that follow it.
                _logger?.LogWarning(e, "A console refresh after {Count} draft changes failed", batch.Count);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _pending.Clear();
        }

        _subscription.Dispose();
    }
}
