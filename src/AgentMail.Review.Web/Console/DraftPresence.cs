namespace AgentMail.Review.Web.Console;

public enum PresenceMode
{
    Viewing,
    Editing,
}

/// <summary>One person on one draft, as others see them.</summary>
public sealed record PresenceEntry(string PersonId, string Name, PresenceMode Mode);

/// <summary>
/// Who has which draft open: one entry per open console page (a person with two tabs has two), each on at most one
/// draft. The rules of what others are shown live here: never yourself, one line per person, editing over viewing.
/// Not thread-safe; <see cref="DraftPresence"/> guards it.
/// </summary>
public sealed class PresenceBoard
{
    private readonly Dictionary<Guid, (string DraftId, PresenceEntry Entry)> _pages = [];

    /// <summary>Puts a page on a draft (or on none); returns the drafts whose presence changed.</summary>
    public IReadOnlyList<string> Set(Guid page, string? draftId, PresenceEntry? entry)
    {
        var had = _pages.TryGetValue(page, out var before);
        if (draftId is null || entry is null)
        {
            return had && _pages.Remove(page) ? [before.DraftId] : [];
        }

        if (had && before.DraftId == draftId && before.Entry == entry)
        {
            return [];
        }

        _pages[page] = (draftId, entry);
        return had && before.DraftId != draftId ? [before.DraftId, draftId] : [draftId];
    }

    /// <summary>The other people on a draft: each once, editing if any of their pages edits, by name.</summary>
    public IReadOnlyList<PresenceEntry> Others(string draftId, string personId) =>
        _pages.Values
            .Where(p => p.DraftId == draftId && p.Entry.PersonId != personId)
            .GroupBy(p => p.Entry.PersonId)
            .Select(g => g.Select(p => p.Entry).OrderByDescending(e => e.Mode).First())
            .OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>What a row or the pane says: "ana@… is editing", "bo@… and cy@… are viewing".</summary>
    public static string? Describe(IReadOnlyList<PresenceEntry> others)
    {
        if (others.Count == 0)
        {
            return null;
        }

        var parts = others.GroupBy(e => e.Mode).OrderByDescending(g => g.Key).Select(g =>
        {
            var names = g.Select(e => e.Name).ToList();
            var who = names.Count == 1 ? names[0] : string.Join(", ", names[..^1]) + " and " + names[^1];
            var verb = names.Count == 1 ? "is" : "are";
            return $"{who} {verb} {(g.Key == PresenceMode.Editing ? "editing" : "viewing")}";
        });
        return string.Join("; ", parts);
    }
}

/// <summary>
/// This instance's presence: which console pages have which draft open. A singleton; a page joins once, says which
/// draft it shows as that changes, and leaves when it is disposed (a closed tab or a lost circuit disposes it). Pages
/// hear of changes through <see cref="Subscribe"/>, on the caller's thread pool and never while the board is locked.
/// </summary>
public sealed class DraftPresence(ILogger<DraftPresence> logger)
{
    private readonly Lock _gate = new();
    private readonly PresenceBoard _board = new();
    private (Guid Page, Func<IReadOnlyList<string>, Task> OnChanged)[] _subscribers = [];

    public PresencePage Join(string personId, string name) => new(this, Guid.NewGuid(), personId, name);

    public IReadOnlyList<PresenceEntry> Others(string draftId, string personId)
    {
        lock (_gate)
        {
            return _board.Others(draftId, personId);
        }
    }

    /// <summary>
    /// Tells a page the drafts whose presence others changed (its own changes it knows already); return quickly (hand
    /// over to a <see cref="Coalescer{T}"/>).
    /// </summary>
    internal IDisposable Subscribe(Guid page, Func<IReadOnlyList<string>, Task> onChanged)
    {
        var entry = (page, onChanged);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, entry];
        }

        return new Subscription(() =>
        {
            lock (_gate)
            {
                _subscribers = _subscribers.Where(s => s != entry).ToArray();
            }
        });
    }

    internal void Set(Guid page, string? draftId, PresenceEntry? entry)
    {
        IReadOnlyList<string> changed;
        Func<IReadOnlyList<string>, Task>[] subscribers;
        lock (_gate)
        {
            changed = _board.Set(page, draftId, entry);
            subscribers = _subscribers.Where(s => s.Page != page).Select(s => s.OnChanged).ToArray();
        }

        if (changed.Count == 0)
        {
            return;
        }

        foreach (var subscriber in subscribers)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await subscriber(changed);
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "A console page failed to take a presence change");
                }
            });
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                dispose();
            }
        }
    }
}

/// <summary>One console page's presence: on one draft at a time, or none; gone when disposed.</summary>
public sealed class PresencePage(DraftPresence presence, Guid id, string personId, string name) : IDisposable
{
    private bool _disposed;

    public string PersonId => personId;

    /// <summary>Shows this page on <paramref name="draftId"/> (null: on none). Saying the same again changes nothing.</summary>
    public void Show(string? draftId, PresenceMode mode)
    {
        if (!_disposed)
        {
            presence.Set(id, draftId, draftId is null ? null : new PresenceEntry(personId, name, mode));
        }
    }

    /// <summary>Hears of the drafts whose presence other pages changed.</summary>
    public IDisposable Subscribe(Func<IReadOnlyList<string>, Task> onChanged) => presence.Subscribe(id, onChanged);

    /// <summary>What others are doing on a draft, as a row or the pane says it; null when nobody else is there.</summary>
    public string? OthersOn(string draftId) => PresenceBoard.Describe(presence.Others(draftId, personId));

    public void Dispose()
    {
        if (!_disposed)
        {
            presence.Set(id, null, null);
            _disposed = true;
        }
    }
}
