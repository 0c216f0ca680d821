using AgentMail.Review.Core.Drafts;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// A component's subscription to draft changes that hands them over in batches (<see cref="Coalescer{T}"/>): at most
/// one refresh is in flight, and everything that arrives meanwhile is coalesced into the next one.
/// </summary>
public sealed class ThrottledChangeSubscription : IDisposable
{
    private readonly Coalescer<DraftChange> _coalescer;
    private readonly IDisposable _subscription;

    /// <param name="refresh">Runs on the component's own thread (wrap it in <c>InvokeAsync</c>); never twice at once.</param>
    public ThrottledChangeSubscription(IDraftChangeStream stream, Func<IReadOnlyList<DraftChange>, Task> refresh, ILogger? logger = null)
    {
        _coalescer = new Coalescer<DraftChange>(refresh, logger);
        _subscription = stream.Subscribe(_coalescer.AddAsync);
    }

    /// <summary>Refreshes started so far; for tests and diagnostics.</summary>
    public int Refreshes => _coalescer.Refreshes;

    public void Dispose()
    {
        _coalescer.Dispose();
        _subscription.Dispose();
    }
}
