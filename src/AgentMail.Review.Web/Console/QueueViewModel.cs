using System.Globalization;
using AgentMail.Review.Core.Drafts;
using Microsoft.AspNetCore.WebUtilities;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// The review queue's state: filters, order, keyset paging, the rows on screen, which draft has the focus, what is
/// selected, and the changes waiting behind the "N new drafts" banner. A plain class: the page renders it, the
/// store fills it, tests drive it without a browser.
/// </summary>
/// <remarks>
/// Rows never move under the reader. A live change updates a row where it stands and removes one that was sent or
/// deleted; drafts that are new to this page (created, or changed into the filter) wait until
/// <see cref="ShowWaitingAsync"/>, except on an empty page, where nothing can move.
/// </remarks>
/// <summary>A draft as the reading pane shows it.</summary>
public sealed record OpenDraft(Draft Draft, IReadOnlyList<AgentMail.Review.Core.Audit.AuditEntry> Audit, AgentMail.Review.Core.Messages.Message? ReplyTo)
{
    /// <summary>The messages of the draft's thread, oldest first (sent and received).</summary>
    public IReadOnlyList<AgentMail.Review.Core.Messages.Message> Conversation { get; init; } = [];
}

public sealed class QueueViewModel(ReviewQueue store, SharedQueueReads shared, int pageSize)
{
    private readonly Stack<QueueCursor?> _previous = new();
    private readonly HashSet<string> _waiting = [];
    private List<QueueRow> _rows = [];

    public QueueFilter Filter { get; private set; } = new();

    public QueueSort Sort { get; private set; } = QueueSort.UpdatedNewest;

    public IReadOnlyList<QueueRow> Rows => _rows;

    public IReadOnlyDictionary<DraftState, int> Counts { get; private set; } = new Dictionary<DraftState, int>();

    /// <summary>Drafts due and held for a supervisor, across the organisation (the rule is <see cref="ReviewRules.DueAwaitingApproval"/>).</summary>
    public int AwaitingApprovalCount { get; private set; }

    public QueueCursor? PageStart { get; private set; }

    public QueueCursor? Next { get; private set; }

    public int PageNumber => _previous.Count + 1;

    public bool HasPrevious => _previous.Count > 0;

    public bool Loading { get; private set; } = true;

    /// <summary>The draft the keyboard acts on, shown in the reading pane.</summary>
    public string? FocusedId { get; private set; }

    /// <summary>On a narrow screen, whether the reading pane is the view (instead of the list).</summary>
    public bool PaneOpen { get; set; }

    public HashSet<string> Selected { get; } = [];

    /// <summary>How many drafts match the filter across every page, once the whole page is selected and there is more.</summary>
    public int? MatchingCount { get; private set; }

    /// <summary>Every draft matching the filter is selected, not just this page's: bulk actions run as a job.</summary>
    public bool AllMatching { get; private set; }

    /// <summary>The draft in the reading pane, in full: bodies, history, the message it replies to.</summary>
    public OpenDraft? Open { get; set; }

    /// <summary>Whether the pane shows the editor for <see cref="Open"/>.</summary>
    public bool Editing { get; set; }

    /// <summary>Who changed the draft since the editor opened, when someone did.</summary>
    public string? ChangedUnderneathBy { get; set; }

    /// <summary>What someone else did to the draft while it is being edited, as the editor says it.</summary>
    public string? EditNotice { get; set; }

    /// <summary>Drafts that arrived while the page was open and have not been opened yet.</summary>
    public HashSet<string> NewIds { get; } = [];

    /// <summary>How many drafts the banner would bring in.</summary>
    public int WaitingCount => _waiting.Count;

    public QueueRow? FocusedRow => FocusedId is null ? null : _rows.FirstOrDefault(r => r.DraftId == FocusedId);

    public int FocusedIndex => FocusedId is null ? -1 : _rows.FindIndex(r => r.DraftId == FocusedId);

    public bool AllSelected => _rows.Count > 0 && _rows.All(r => Selected.Contains(r.DraftId));

    public IReadOnlyList<QueueRow> SelectedRows => _rows.Where(r => Selected.Contains(r.DraftId)).ToList();

    public async Task LoadAsync()
    {
        Loading = true;
        var page = await store.PageAsync(Filter, Sort, pageSize, PageStart);
        _rows = page.Rows.ToList();
        Next = page.Next;
        _waiting.Clear();
        await LoadCountsAsync();
        Loading = false;
    }

    public Task SetFilterAsync(QueueFilter filter)
    {
        Filter = filter;
        ClearSelection();
        return FirstPageAsync();
    }

    /// <summary>
    /// After the whole page was selected: how many match the filter in all, for "Select all N matching the filter"
    /// (null when this page holds them all).
    /// </summary>
    public async Task CountMatchingAsync()
    {
        MatchingCount = AllSelected && Next is not null ? await store.CountMatchingAsync(Filter) : null;
    }

    /// <summary>Selects every draft matching the filter; the drafts themselves are read when the action starts.</summary>
    public void SelectAllMatching()
    {
        if (MatchingCount is not null)
        {
            SelectAll(true);
            AllMatching = true;
        }
    }

    public void ClearSelection()
    {
        Selected.Clear();
        AllMatching = false;
        MatchingCount = null;
    }

    public Task SetSortAsync(QueueSort sort)
    {
        Sort = sort;
        return FirstPageAsync();
    }

    /// <summary>The count chips: show only this state, or everything again.</summary>
    public Task ToggleStateAsync(DraftState state) =>
        SetFilterAsync(Filter with { States = Filter.States.SetEquals([state]) ? new HashSet<DraftState>() : new HashSet<DraftState> { state } });

    /// <summary>The "awaiting approval" chip: only drafts due and held for a supervisor, or everything again.</summary>
    public Task ToggleAwaitingApprovalAsync() => SetFilterAsync(Filter with { AwaitingApproval = !Filter.AwaitingApproval });

    private async Task LoadCountsAsync()
    {
        var counts = await shared.CountsAsync();
        Counts = counts.ByState;
        AwaitingApprovalCount = counts.AwaitingApproval;
    }

    public Task FirstPageAsync()
    {
        _previous.Clear();
        PageStart = null;
        return LoadAsync();
    }

    public Task NextPageAsync()
    {
        _previous.Push(PageStart);
        PageStart = Next;
        return LoadAsync();
    }

    public Task PreviousPageAsync()
    {
        PageStart = _previous.Count > 0 ? _previous.Pop() : null;
        return LoadAsync();
    }

    /// <summary>The banner: puts the page in its current order with everything new; the focus stays on its draft.</summary>
    public Task ShowWaitingAsync() => LoadAsync();

    public void Focus(string? draftId)
    {
        FocusedId = draftId;
        if (draftId is not null)
        {
            NewIds.Remove(draftId);
        }
    }

    /// <summary>j/k: the next or previous row; the first row when nothing has the focus yet.</summary>
    public string? MoveFocus(int delta)
    {
        if (_rows.Count == 0)
        {
            return FocusedId;
        }

        var index = FocusedIndex;
        var next = index < 0 ? (delta > 0 ? 0 : _rows.Count - 1) : Math.Clamp(index + delta, 0, _rows.Count - 1);
        Focus(_rows[next].DraftId);
        return FocusedId;
    }

    public void Select(string draftId, bool selected)
    {
        if (!selected)
        {
            // Unselecting one draft is no longer "all matching".
            AllMatching = false;
            MatchingCount = null;
        }

        if (selected)
        {
            Selected.Add(draftId);
        }
        else
        {
            Selected.Remove(draftId);
        }
    }

    public void ToggleSelected(string draftId) => Select(draftId, !Selected.Contains(draftId));

    public void SelectAll(bool selected)
    {
        foreach (var row in _rows)
        {
            Select(row.DraftId, selected);
        }
    }

    /// <summary>
    /// Takes in a batch of live changes without moving a row; see the class remarks. The page is read again, once for
    /// every console showing it (<see cref="SharedQueueReads"/>), so that order and filters stay right.
    /// </summary>
    public async Task ApplyChangesAsync(IReadOnlyList<DraftChange> changes)
    {
        var fresh = await shared.PageAsync(Filter, Sort, pageSize, PageStart);
        await LoadCountsAsync();
        var last = changes.GroupBy(c => c.DraftId).ToDictionary(g => g.Key, g => g.Last());
        foreach (var change in changes.Where(c => c.Kind == DraftChangeKind.Created))
        {
            NewIds.Add(change.DraftId);
        }

        if (_rows.Count == 0)
        {
            _rows = fresh.Rows.ToList();
            Next = fresh.Next;
            _waiting.Clear();
            return;
        }

        var freshRows = fresh.Rows.ToDictionary(r => r.DraftId);
        var rows = new List<QueueRow>(_rows.Count);
        var focusedIndex = FocusedIndex;
        foreach (var row in _rows)
        {
            if (freshRows.TryGetValue(row.DraftId, out var current))
            {
                rows.Add(current);
            }
            else if (!last.TryGetValue(row.DraftId, out var change))
            {
                rows.Add(row);
            }
            else if (change.Kind is not (DraftChangeKind.Deleted or DraftChangeKind.Sent) && await store.RowAsync(row.DraftId) is { } stillThere)
            {
                // Changed out of this page's filter or order: it stays where the reader saw it until the page is reloaded.
                rows.Add(stillThere);
            }
        }

        _rows = rows;
        var shown = rows.Select(r => r.DraftId).ToHashSet();
        foreach (var (id, change) in last)
        {
            if (change.Kind is DraftChangeKind.Deleted or DraftChangeKind.Sent)
            {
                _waiting.Remove(id);
                NewIds.Remove(id);
            }
            else if (!shown.Contains(id) && freshRows.ContainsKey(id))
            {
                _waiting.Add(id);
            }
        }

        Selected.RemoveWhere(id => last.ContainsKey(id) && !shown.Contains(id));

        if (FocusedId is not null && !shown.Contains(FocusedId) && focusedIndex >= 0)
        {
            // The focused draft left (sent, deleted): the focus goes to the row that took its place.
            FocusedId = rows.Count == 0 ? null : rows[Math.Min(focusedIndex, rows.Count - 1)].DraftId;
        }
    }

    /// <summary>The filters, order and open draft as a query string, so a link or a reload shows the same queue.</summary>
    public string ToQueryString()
    {
        var query = new Dictionary<string, string?>();
        if (!string.IsNullOrWhiteSpace(Filter.Text))
        {
            query["q"] = Filter.Text;
        }

        if (Filter.States.Count > 0)
        {
            query["state"] = string.Join(',', Filter.States.Select(s => s.ToString().ToLowerInvariant()).Order());
        }

        if (!string.IsNullOrWhiteSpace(Filter.InboxId))
        {
            query["inbox"] = Filter.InboxId;
        }

        if (!string.IsNullOrWhiteSpace(Filter.Label))
        {
            query["label"] = Filter.Label;
        }

        if (Filter.DueWithin is { } due)
        {
            query["due"] = ((int)due.TotalMinutes).ToString(CultureInfo.InvariantCulture);
        }

        if (Filter.AwaitingApproval)
        {
            query["awaiting"] = "1";
        }

        if (Sort != QueueSort.UpdatedNewest)
        {
            query["sort"] = SortName(Sort);
        }

        if (FocusedId is not null)
        {
            query["draft"] = FocusedId;
        }

        return QueryHelpers.AddQueryString("", query);
    }

    /// <summary>Reads what <see cref="ToQueryString"/> wrote; anything unreadable is ignored.</summary>
    public void ReadQueryString(string? queryString)
    {
        var query = QueryHelpers.ParseQuery(queryString);
        string? One(string key) => query.TryGetValue(key, out var values) && !string.IsNullOrWhiteSpace(values.ToString()) ? values.ToString() : null;
        var states = (One("state") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => Enum.TryParse<DraftState>(s, ignoreCase: true, out var state) ? state : (DraftState?)null)
            .OfType<DraftState>().ToHashSet();
        Filter = new QueueFilter
        {
            Text = One("q"),
            States = states,
            InboxId = One("inbox"),
            Label = One("label"),
            AwaitingApproval = One("awaiting") == "1",
            DueWithin = int.TryParse(One("due"), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) && minutes > 0 ? TimeSpan.FromMinutes(minutes) : null,
        };
        Sort = One("sort") switch
        {
            "oldest" => QueueSort.UpdatedOldest,
            "soonest" => QueueSort.SendSoonest,
            _ => QueueSort.UpdatedNewest,
        };
        FocusedId = One("draft");
        PaneOpen = FocusedId is not null;
    }

    private static string SortName(QueueSort sort) => sort switch
    {
        QueueSort.UpdatedOldest => "oldest",
        QueueSort.SendSoonest => "soonest",
        _ => "newest",
    };
}
