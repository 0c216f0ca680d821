using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Web.Auth;
using AgentMail.Review.Web.Components.Drafts;
using AgentMail.Review.Web.Console;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;

namespace AgentMail.Review.Web.Components.Pages;

/// <summary>
/// The review queue at <c>/</c>: one keyset page of the organisation's drafts, kept live by the change stream. Every action is a
/// call on <see cref="ConsoleActions"/>; this page only decides what to show.
/// </summary>
public sealed partial class Queue : IAsyncDisposable
{
    private readonly HashSet<string> _selected = [];
    private readonly HashSet<string> _newIds = [];
    private readonly List<DraftChange> _changedSinceReload = [];
    private volatile bool _disposed;
    private readonly Stack<QueueCursor?> _previous = new();
    private IReadOnlyList<QueueRow> _rows = [];
    private IReadOnlyDictionary<DraftState, int> _counts = new Dictionary<DraftState, int>();
    private IReadOnlyList<string> _inboxes = [];
    private QueueFilter _filter = new();
    private QueueSort _sort = QueueSort.UpdatedNewest;
    private QueueCursor? _pageStart;
    private QueueCursor? _next;
    private bool _loading = true;
    private bool _help;
    private Draft? _current;
    private Draft? _editing;
    private string? _changedUnderneathBy;
    private IReadOnlyList<AuditEntry> _audit = [];
    private Message? _replyTo;
    private string? _me;
    private Task<AuthenticationState>? _authorisedFor;
    private bool _supervisor;
    private IDisposable? _subscription;
    private IJSObjectReference? _shortcuts;
    private DotNetObjectReference<Queue>? _self;
    private ITimer? _clockTick;
    private static readonly TimeSpan ReloadBatching = TimeSpan.FromMilliseconds(150);
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private int _reloadPending;

    [Inject] private Core.Drafts.ReviewQueue Store { get; set; } = null!;

    [Inject] private ConsoleActions Actions { get; set; } = null!;

    [Inject] private IDraftChangeStream Changes { get; set; } = null!;

    [Inject] private AuditTrail AuditTrail { get; set; } = null!;

    [Inject] private MessageQueries Messages { get; set; } = null!;

    [Inject] private Microsoft.Extensions.Options.IOptions<ConsoleOptions> Options { get; set; } = null!;

    [Inject] private BrowserClock Clock { get; set; } = null!;

    [Inject] private TimeProvider Time { get; set; } = null!;

    [Inject] private IDialogService Dialogs { get; set; } = null!;

    [Inject] private ISnackbar Snackbar { get; set; } = null!;

    [Inject] private IJSRuntime JS { get; set; } = null!;

    [Inject] private IAuthorizationService Authorization { get; set; } = null!;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = null!;

    private bool AllSelected => _rows.Count > 0 && _rows.All(r => _selected.Contains(r.DraftId));

    protected override async Task OnInitializedAsync()
    {
        _me = (await Actions.CurrentActorAsync()).Id;
        _subscription = Changes.Subscribe(OnDraftChangedAsync);
        // "in 2 h" and "5 min ago" stay true on a console left open all day.
        _clockTick = Time.CreateTimer(_ => InvokeAsync(StateHasChanged), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        _inboxes = await Store.InboxIdsAsync();
        await LoadAsync();
    }

    /// <summary>
    /// Whether this person may act, decided once per authentication state rather than by an AuthorizeView in every row:
    /// each of those is a component the circuit keeps for as long as the tab is open.
    /// </summary>
    protected override async Task OnParametersSetAsync()
    {
        if (ReferenceEquals(_authorisedFor, AuthenticationState))
        {
            return;
        }

        _authorisedFor = AuthenticationState;
        _supervisor = await IsSupervisorAsync();
    }

    private async Task<bool> IsSupervisorAsync() =>
        (await Authorization.AuthorizeAsync((await AuthenticationState).User, ReviewPolicies.Supervisor)).Succeeded;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        await Clock.LoadAsync();
        _self = DotNetObjectReference.Create(this);
        _shortcuts = await JS.InvokeAsync<IJSObjectReference>("reviewConsole.registerShortcuts", _self);
        StateHasChanged();
    }

    private async Task LoadAsync()
    {
        _loading = true;
        var page = await Store.PageAsync(_filter, _sort, Options.Value.PageSize, _pageStart);
        _rows = page.Rows;
        _next = page.Next;
        _counts = await Store.CountsAsync();
        _loading = false;
    }

    /// <summary>
    /// Changes arrive from any thread, often in bursts. Each is noted on the circuit's own thread; the page then
    /// reloads at most one at a time, folding a burst into one reload, and keeps its page, selection and any
    /// half-typed edit.
    /// </summary>
    private async Task OnDraftChangedAsync(DraftChange change)
    {
        if (_disposed)
        {
            return;
        }

        await InvokeAsync(() => Note(change));
        if (Interlocked.Exchange(ref _reloadPending, 1) == 1)
        {
            return;
        }

        await _reloadGate.WaitAsync();
        try
        {
            // Changes rarely come alone (a batch of sends, a bulk action): take in those arriving just after.
            await Task.Delay(ReloadBatching);
            Interlocked.Exchange(ref _reloadPending, 0);
            if (!_disposed)
            {
                await InvokeAsync(ReloadAfterChangesAsync);
            }
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    private void Note(DraftChange change)
    {
        _changedSinceReload.Add(change);
        if (change.Kind == DraftChangeKind.Created)
        {
            _newIds.Add(change.DraftId);
        }

        if (_editing is not null && change.DraftId == _editing.DraftId && change.Actor.Id != _me)
        {
            _changedUnderneathBy = change.Actor.DisplayName;
            StateHasChanged();
        }
    }

    private async Task ReloadAfterChangesAsync()
    {
        var changes = _changedSinceReload.ToList();
        _changedSinceReload.Clear();
        await LoadAsync();
        if (_current is not null && _editing is null && changes.LastOrDefault(c => c.DraftId == _current.DraftId) is { } latest)
        {
            if (latest.Kind is DraftChangeKind.Deleted or DraftChangeKind.Sent)
            {
                _current = null;
            }
            else
            {
                await ShowAsync(_current.DraftId);
            }
        }

        StateHasChanged();
    }

    private async Task OnFilterChanged(QueueFilter filter)
    {
        _filter = filter;
        await FirstPageAsync();
    }

    private async Task OnSortChanged(QueueSort sort)
    {
        _sort = sort;
        await FirstPageAsync();
    }

    private async Task ShowOnly(DraftState state)
    {
        _filter = _filter with { States = _filter.States.SetEquals([state]) ? new HashSet<DraftState>() : new HashSet<DraftState> { state } };
        await FirstPageAsync();
    }

    private async Task FirstPageAsync()
    {
        _previous.Clear();
        _pageStart = null;
        await LoadAsync();
    }

    private async Task NextPageAsync()
    {
        _previous.Push(_pageStart);
        _pageStart = _next;
        await LoadAsync();
    }

    private async Task PreviousPageAsync()
    {
        _pageStart = _previous.Pop();
        await LoadAsync();
    }

    private string RowClass(QueueRow row, int index) =>
        string.Join(' ', new[] { _newIds.Contains(row.DraftId) ? "review-row-new" : null, row.DraftId == _current?.DraftId ? "review-row-current" : null }.Where(c => c is not null));

    private Task OnRowClick(DataGridRowClickEventArgs<QueueRow> args) => ShowAsync(args.Item.DraftId);

    private async Task ShowAsync(string draftId)
    {
        try
        {
            _current = await Actions.LoadAsync(draftId);
        }
        catch (NotFoundException)
        {
            _current = null;
            return;
        }

        _newIds.Remove(draftId);

        _audit = await AuditTrail.ForDraftAsync(draftId);
        _replyTo = _current.InReplyTo is null ? null : await Messages.FindAsync(_current.InReplyTo);
    }

    private void Select(QueueRow row, bool selected)
    {
        if (selected)
        {
            _selected.Add(row.DraftId);
        }
        else
        {
            _selected.Remove(row.DraftId);
        }
    }

    private void SelectAll(bool selected)
    {
        foreach (var row in _rows)
        {
            Select(row, selected);
        }
    }

    private async Task EditAsync(QueueRow row)
    {
        await ShowAsync(row.DraftId);
        _editing = _current;
        _changedUnderneathBy = null;
    }

    private async Task SaveEditAsync(DraftPatch patch)
    {
        var row = ToRow(_editing!);
        if (_changedUnderneathBy is not null)
        {
            throw new ConflictException($"{_changedUnderneathBy} changed this draft after you opened it; reload to see their version before saving.");
        }

        var saved = await Actions.SaveAsync(row, patch);
        _editing = null;
        _current = saved;
        Snackbar.Add("Draft saved.", Severity.Success);
        await LoadAsync();
    }

    private void CloseEditor()
    {
        _editing = null;
        _changedUnderneathBy = null;
    }

    private async Task ReloadEditorAsync()
    {
        await ShowAsync(_editing!.DraftId);
        _editing = _current;
        _changedUnderneathBy = null;
    }

    private async Task ApproveAsync(QueueRow row)
    {
        var parameters = new DialogParameters<ConfirmSendDialog> { { d => d.Row, row }, { d => d.UndoWindow, Actions.UndoWindow } };
        var dialog = await Dialogs.ShowAsync<ConfirmSendDialog>("Approve and send", parameters);
        if ((await dialog.Result)?.Canceled != false)
        {
            return;
        }

        await RunAsync(async () =>
        {
            var approved = await Actions.ApproveAsync(row);
            var to = string.Join(", ", row.To);
            if (Actions.UndoWindow > TimeSpan.Zero)
            {
                Snackbar.Add($"Sending to {to}.", Severity.Success, options =>
                {
                    options.Action = "Undo";
                    options.ActionColor = Color.Inherit;
                    options.VisibleStateDuration = (int)Actions.UndoWindow.TotalMilliseconds;
                    options.OnClick = _ => UndoAsync(approved);
                });
            }
            else
            {
                Snackbar.Add($"Sent to {to}.", Severity.Success);
            }
        });
    }

    private Task UndoAsync(Draft approved) => InvokeAsync(() => RunAsync(async () =>
    {
        await Actions.UndoApprovalAsync(approved);
        Snackbar.Add("Undone: the draft did not leave and waits for review again.", Severity.Info);
    }));

    private async Task RescheduleAsync(QueueRow row)
    {
        var sendAt = await AskSendTimeAsync(row.SendAt);
        if (sendAt is not { } choice)
        {
            return;
        }

        await RunAsync(async () =>
        {
            await Actions.RescheduleAsync(row, choice.Value);
            Snackbar.Add(choice.Value is { } at ? $"Rescheduled for {Clock.Format(at)}." : "Schedule cleared.", Severity.Success);
        });
    }

    /// <summary>The supervisor's pick: a new send time, or none (clear the schedule).</summary>
    private sealed record ScheduleChoice(DateTime? Value);

    /// <summary>Null when the dialog was cancelled.</summary>
    private async Task<ScheduleChoice?> AskSendTimeAsync(DateTime? current)
    {
        var dialog = await Dialogs.ShowAsync<RescheduleDialog>("Reschedule", new DialogParameters<RescheduleDialog> { { d => d.Current, current } });
        var result = await dialog.Result;
        return result is null || result.Canceled ? null : new ScheduleChoice((DateTime?)result.Data);
    }

    private async Task DeleteAsync(QueueRow row)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete draft?",
            $"“{row.Subject ?? "(no subject)"}” to {string.Join(", ", row.To)} will be deleted{(row.State == DraftState.Scheduled ? " and its scheduled send cancelled" : "")}.",
            yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        await RunAsync(async () =>
        {
            await Actions.DeleteAsync(row);
            Snackbar.Add("Draft deleted.", Severity.Success);
        });
    }

    private async Task BulkApproveAsync()
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Approve and send?", $"{_selected.Count} drafts will be sent.", yesText: "Send", cancelText: "Cancel");
        if (confirmed == true)
        {
            await BulkAsync("Approve and send", async row => { await Actions.ApproveAsync(row); return "sending"; });
        }
    }

    private async Task BulkRescheduleAsync()
    {
        var sendAt = await AskSendTimeAsync(null);
        if (sendAt is { } choice)
        {
            await BulkAsync("Reschedule", async row =>
            {
                await Actions.RescheduleAsync(row, choice.Value);
                return choice.Value is { } at ? $"rescheduled for {Clock.Format(at)}" : "schedule cleared";
            });
        }
    }

    private async Task BulkDeleteAsync()
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete drafts?", $"{_selected.Count} drafts will be deleted.", yesText: "Delete", cancelText: "Cancel");
        if (confirmed == true)
        {
            await BulkAsync("Delete", async row => { await Actions.DeleteAsync(row); return "deleted"; });
        }
    }

    private async Task BulkAsync(string title, Func<QueueRow, Task<string>> action)
    {
        var rows = new List<QueueRow>();
        foreach (var id in _selected.ToList())
        {
            if (await Store.RowAsync(id) is { } row)
            {
                rows.Add(row);
            }
        }

        var results = await ConsoleActions.ForEachAsync(rows, action);
        _selected.Clear();
        await LoadAsync();
        await Dialogs.ShowAsync<BulkSummaryDialog>(title, new DialogParameters<BulkSummaryDialog>
        {
            { d => d.Results, results },
            { d => d.Subjects, rows.ToDictionary(r => r.DraftId, r => r.Subject ?? "(no subject)") },
        });
    }

    /// <summary>Shows the drafts service's refusal (validation, conflict, gone) to the supervisor instead of failing the circuit.</summary>
    private async Task RunAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (ReviewException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }

        await LoadAsync();
    }

    [JSInvokable]
    public async Task OnShortcut(string key)
    {
        var supervisor = await IsSupervisorAsync();
        var index = _current is null ? -1 : _rows.ToList().FindIndex(r => r.DraftId == _current.DraftId);
        var row = index >= 0 ? _rows[index] : null;
        switch (key)
        {
            case "j" when _rows.Count > 0:
                await ShowAsync(_rows[Math.Min(index + 1, _rows.Count - 1)].DraftId);
                break;
            case "k" when _rows.Count > 0:
                await ShowAsync(_rows[Math.Max(index - 1, 0)].DraftId);
                break;
            case "e" when supervisor && row is not null:
                await EditAsync(row);
                break;
            case "a" when supervisor && row is not null:
                await ApproveAsync(row);
                break;
            case "r" when supervisor && row is not null:
                await RescheduleAsync(row);
                break;
            case "Delete" when supervisor && row is not null:
                await DeleteAsync(row);
                break;
            case "/":
                await JS.InvokeVoidAsync("reviewConsole.focus", "#queue-search");
                break;
            case "?":
                _help = !_help;
                break;
        }

        StateHasChanged();
    }

    private static QueueRow ToRow(Draft d) =>
        new(d.DraftId, d.InboxId, d.State, d.To, d.Cc, d.Bcc, d.Subject, d.Preview, d.CurrentLabels, d.SendAt, d.FailureReason, d.Attachments.Count, d.Version, d.CreatedAt, d.UpdatedAt);

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _subscription?.Dispose();
        _clockTick?.Dispose();
        if (_shortcuts is not null)
        {
            try
            {
                await _shortcuts.InvokeVoidAsync("dispose");
                await _shortcuts.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The browser is already gone; nothing is left to unregister.
            }
        }

        _self?.Dispose();
    }
}
