namespace AgentMail.Review.Web.Console;

/// <summary>
/// The last action <c>z</c> can undo (an approve, a delete, or either in bulk), for as long as its undo window lasts.
/// A newer action replaces it; taking it clears it, so one <c>z</c> undoes one action.
/// </summary>
public sealed class LastAction(TimeProvider clock)
{
    private (string What, DateTimeOffset Until, Func<Task> Undo)? _last;

    public void Record(string what, TimeSpan window, Func<Task> undo)
    {
        _last = window > TimeSpan.Zero ? (what, clock.GetUtcNow() + window, undo) : null;
    }

    /// <summary>What would be undone now; null when nothing is within its window.</summary>
    public string? Undoable => _last is { } last && clock.GetUtcNow() < last.Until ? last.What : null;

    /// <summary>The undo of the last action still within its window, once; null when there is none.</summary>
    public Func<Task>? Take()
    {
        var last = _last;
        _last = null;
        return last is { } l && clock.GetUtcNow() < l.Until ? l.Undo : null;
    }

    /// <summary>Forgets the action when it was undone some other way (its snackbar's Undo, the row's Undo).</summary>
    public void Forget() => _last = null;
}
