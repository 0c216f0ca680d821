namespace AgentMail.Review.Web.Console;

/// <summary>
/// Hands items over in batches with at most one refresh in flight: whatever arrives while a refresh runs is
/// coalesced into the next one. A burst of a hundred items costs two refreshes, not a hundred; a lone item is handed
/// over at once. After <see cref="Dispose"/> nothing more is handed over.
/// </summary>
public sealed class Coalescer<T> : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Func<IReadOnlyList<T>, Task> _refresh;
    private readonly ILogger? _logger;
    private List<T> _pending = [];
    private bool _running;
    private bool _disposed;

    /// <param name="refresh">Runs on the component's own thread (wrap it in <c>InvokeAsync</c>); never twice at once.</param>
    public Coalescer(Func<IReadOnlyList<T>, Task> refresh, ILogger? logger = null)
    {
        _refresh = refresh;
        _logger = logger;
    }

    /// <summary>Refreshes started so far; for tests and diagnostics.</summary>
    public int Refreshes { get; private set; }

    public Task AddAsync(T item)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.CompletedTask;
            }

            _pending.Add(item);
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
            List<T> batch;
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
                _logger?.LogWarning(e, "A console refresh after {Count} changes failed", batch.Count);
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
    }
}
