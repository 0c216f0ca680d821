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
/// The review queue at <c>/</c>: the list and the reading pane side by side (one after the other on a narrow
/// screen), kept live by a throttled change subscription. Its state is <see cref="QueueViewModel"/>; every action is
/// a call on <see cref="ConsoleActions"/>. The page decides what to show, and nothing else.
/// </summary>
public sealed partial class Queue : IAsyncDisposable
{
    private IReadOnlyList<string> _inboxes = [];
    private IReadOnlyList<string> _labels = [];
    private Task<AuthenticationState>? _authorisedFor;
    private bool _supervisor;
    private string? _me;
    private ThrottledChangeSubscription? _changes;
    private PresencePage? _presence;
    private Coalescer<IReadOnlyList<string>>? _presenceChanges;
    private IDisposable? _presenceSubscription;
    private LastAction _last = null!;
    private BulkProgress? _bulk;
    private ITimer? _bulkTimer;
    private Coalescer<bool>? _bulkPolls;
    private IDisposable? _keys;
    private ITimer? _clockTick;
    private DelayedDeletes _deletes = null!;
    private string? _reveal;
    private bool _focusEditor;
    private bool _scrollTop;
    private volatile bool _disposed;

    private QueueViewModel Model { get; set; } = null!;

    [Inject] private ReviewQueue Store { get; set; } = null!;

    [Inject] private SharedQueueReads SharedReads { get; set; } = null!;

    [Inject] private ConsoleActions Actions { get; set; } = null!;

    [Inject] private IDraftChangeStream Changes { get; set; } = null!;

    [Inject] private DraftPresence Presence { get; set; } = null!;
    [Inject] private CircuitConnection Connection { get; set; } = null!;

    [Inject] private BulkOperations Bulk { get; set; } = null!;

    [Inject] private AuditTrail AuditTrail { get; set; } = null!;

    [Inject] private MessageQueries Messages { get; set; } = null!;

    [Inject] private AgentMail.Review.Core.Threads.ThreadQueries Threads { get; set; } = null!;

    [Inject] private Microsoft.Extensions.Options.IOptions<ConsoleOptions> Options { get; set; } = null!;

    [Inject] private BrowserClock Clock { get; set; } = null!;

    [Inject] private KeyboardShortcuts Shortcuts { get; set; } = null!;

    [Inject] private TimeProvider Time { get; set; } = null!;

    [Inject] private IDialogService Dialogs { get; set; } = null!;

    [Inject] private ISnackbar Snackbar { get; set; } = null!;

    [Inject] private IJSRuntime JS { get; set; } = null!;

    [Inject] private NavigationManager Navigation { get; set; } = null!;

    [Inject] private IAuthorizationService Authorization { get; set; } = null!;

    [Inject] private ILogger<Queue> Logger { get; set; } = null!;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        Model = new QueueViewModel(Store, SharedReads, Options.Value.PageSize);
        _deletes = new DelayedDeletes(Time, Actions.UndoWindow, DeleteNowAsync);
        Model.ReadQueryString(new Uri(Navigation.Uri).Query);
        // Times are shown in the browser's zone from the first render on: nothing is shown in UTC first.
        await Clock.EnsureLoadedAsync();
        _last = new LastAction(Time);
        var me = await Actions.CurrentActorAsync();
        _me = me.Id;
        _changes = new ThrottledChangeSubscription(Changes, batch => InvokeAsync(() => OnChangesAsync(batch)), Logger);
        // Who else is on which draft: one render for however many presence changes arrive while one is in flight.
        _presence = Presence.Join(me.Id, me.DisplayName);
        _presenceChanges = new Coalescer<IReadOnlyList<string>>(_ => InvokeAsync(() =>
        {
            if (!_disposed)
            {
                StateHasChanged();
            }
        }), Logger);
        _presenceSubscription = _presence.Subscribe(_presenceChanges.AddAsync);
        Connection.Changed += ShowPresenceAsync;
        // "in 2 h" and "5 min ago" stay true on a console left open all day.
        _clockTick = Time.CreateTimer(_ => InvokeAsync(StateHasChanged), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        _inboxes = await Store.InboxIdsAsync();
        _labels = await Store.LabelsInUseAsync();
        await Model.LoadAsync();
        if (Model.FocusedId is { } linked)
        {
            await LoadPaneAsync(linked);
            _reveal = linked;
        }
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
        _supervisor = (await Authorization.AuthorizeAsync((await AuthenticationState).User, ReviewPolicies.Supervisor)).Succeeded;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        ShowPresence();

        if (firstRender)
        {
            _keys = await Shortcuts.AttachAsync(key => InvokeAsync(() => OnShortcutAsync(key)));
            StateHasChanged();
        }

        if (_scrollTop)
        {
            _scrollTop = false;
            await JS.InvokeVoidAsync("reviewConsole.scrollToTop");
        }

        if (_reveal is { } id)
        {
            _reveal = null;
            await JS.InvokeVoidAsync("reviewConsole.reveal", id);
        }

        if (_focusEditor)
        {
            _focusEditor = false;
            await JS.InvokeAsync<bool>("reviewConsole.focus", "#draft-editor-text");
        }
    }

    private async Task OnChangesAsync(IReadOnlyList<DraftChange> batch)
    {
        if (_disposed)
        {
            return;
        }

        var focusedBefore = Model.FocusedId;
        await Model.ApplyChangesAsync(batch);
        if (Model.Open is { } open && batch.LastOrDefault(c => c.DraftId == open.Draft.DraftId) is { } latest)
        {
            if (Model.Editing)
            {
                if (latest.Actor.Id != _me && latest.Kind != DraftChangeKind.Created)
                {
                    // Said at once in the editor: an agent's send, another supervisor's approval, any other change.
                    Model.ChangedUnderneathBy = latest.Actor.DisplayName;
                    var now = latest.Kind is DraftChangeKind.Deleted or DraftChangeKind.Sent ? null : await Actions.FindAsync(open.Draft.DraftId);
                    Model.EditNotice = EditorNotices.For(latest, now);
                }
            }
            else if (latest.Kind is DraftChangeKind.Deleted or DraftChangeKind.Sent)
            {
                Model.Open = null;
            }
            else
            {
                await LoadPaneAsync(open.Draft.DraftId);
            }
        }

        if (!Model.Editing && Model.FocusedId != focusedBefore && Model.FocusedId is { } moved)
        {
            // The focused draft left the queue: the pane follows the focus to the draft that took its place.
            await LoadPaneAsync(moved);
        }

        StateHasChanged();
    }

    private async Task SetFilterAsync(QueueFilter filter)
    {
        await Model.SetFilterAsync(filter);
        WriteUrl();
    }

    private async Task SetSortAsync(QueueSort sort)
    {
        await Model.SetSortAsync(sort);
        WriteUrl();
    }

    private async Task ToggleStateAsync(DraftState state)
    {
        await Model.ToggleStateAsync(state);
        WriteUrl();
    }

    private async Task ToggleAwaitingApprovalAsync()
    {
        await Model.ToggleAwaitingApprovalAsync();
        WriteUrl();
    }

    private Task NextPageAsync() => Model.NextPageAsync();

    private Task PreviousPageAsync() => Model.PreviousPageAsync();

    private async Task ShowWaitingAsync()
    {
        await Model.ShowWaitingAsync();
        if (Model.FocusedId is { } id)
        {
            _reveal = id;
        }
    }

    /// <summary>Filters and the open draft live in the address, so a reload or a shared link shows the same queue.</summary>
    private void WriteUrl() => Navigation.NavigateTo("/" + Model.ToQueryString(), new NavigationOptions { ReplaceHistoryEntry = true });

    /// <summary>A click on a row, or Enter: the draft gets the focus and the pane shows it (the whole view on a phone).</summary>
    private async Task OpenAsync(string draftId)
    {
        await FocusAsync(draftId);
        Model.PaneOpen = true;
        _scrollTop = true;
    }

    private async Task FocusAsync(string draftId)
    {
        if (Model.Editing && Model.Open?.Draft.DraftId != draftId)
        {
            CloseEditor();
        }

        Model.Focus(draftId);
        await LoadPaneAsync(draftId);
        WriteUrl();
        _reveal = draftId;
    }

    private async Task LoadPaneAsync(string draftId)
    {
        try
        {
            var draft = await Actions.LoadAsync(draftId);
            var audit = await AuditTrail.ForDraftAsync(draftId);
            var replyTo = draft.InReplyTo is null ? null : await Messages.FindAsync(draft.InReplyTo);
            var conversation = await Threads.ConversationAsync(draft.InboxId, draft.ThreadId);
            Model.Open = new OpenDraft(draft, audit, replyTo) { Conversation = conversation };
        }
        catch (NotFoundException)
        {
            Model.Open = null;
        }
    }

    private void Back()
    {
        Model.PaneOpen = false;
        if (Model.FocusedId is { } id)
        {
            _reveal = id;
        }
    }

    /// <summary>The row the actions apply to: the open draft as the list shows it, or as it was loaded.</summary>
    private QueueRow? OpenRow => Model.Open is not { } open ? null : Model.Rows.FirstOrDefault(r => r.DraftId == open.Draft.DraftId && r.Version == open.Draft.Version) ?? ToRow(open.Draft);

    private Task EditAsync()
    {
        if (Model.Open is null || Model.Open.Draft.State == DraftState.Sending)
        {
            return Task.CompletedTask;
        }

        Model.Editing = true;
        Model.ChangedUnderneathBy = null;
        Model.EditNotice = null;
        Model.PaneOpen = true;
        _focusEditor = true;
        return Task.CompletedTask;
    }

    private async Task SaveEditAsync(DraftPatch patch)
    {
        // The patch carries the version the editor started from: a save over someone else's is refused by the drafts
        // service, and the editor then shows both versions.
        var saved = await Actions.SaveAsync(ToRow(Model.Open!.Draft), patch);
        Model.Editing = false;
        Model.ChangedUnderneathBy = null;
        Model.EditNotice = null;
        Snackbar.Add("Draft saved.", Severity.Success);
        await LoadPaneAsync(saved.DraftId);
    }

    /// <summary>Leaves the editor; what was typed stays kept in the browser and is offered back when it opens again.</summary>
    private void CloseEditor()
    {
        Model.Editing = false;
        Model.ChangedUnderneathBy = null;
        Model.EditNotice = null;
    }

    /// <summary>Leaves the editor (Escape, or Discard once the editor forgot its kept edit); if the draft changed meanwhile (or is gone) the pane catches up.</summary>
    private async Task LeaveEditorAsync()
    {
        var changed = Model.EditNotice is not null;
        CloseEditor();
        if (changed && Model.Open is { } open)
        {
            await LoadPaneAsync(open.Draft.DraftId);
        }
    }

    private Task<Draft?> LoadLatestAsync() => Model.Open is { } open ? Actions.FindAsync(open.Draft.DraftId) : Task.FromResult<Draft?>(null);

    /// <summary>Who else has a draft open, as its row and the pane say it.</summary>
    private string? PresenceOn(string draftId) => _presence?.OthersOn(draftId);

    /// <summary>z: undoes the last approve or delete (single or bulk) while its undo window lasts.</summary>
    private async Task UndoLastAsync()
    {
        if (_last.Take() is { } undo)
        {
            await undo();
        }
        else
        {
            Snackbar.Add("Nothing to undo.", Severity.Info);
        }
    }

    private async Task ApproveAsync()
    {
        if (OpenRow is not { } row || row.State == DraftState.Sending)
        {
            return;
        }

        var parameters = new DialogParameters<ConfirmSendDialog> { { d => d.Row, row }, { d => d.UndoWindow, Actions.UndoWindow } };
        // The dialog focuses its Send button itself: Enter sends, Escape cancels.
        var dialog = await Dialogs.ShowAsync<ConfirmSendDialog>("Approve and send", parameters, new DialogOptions { DefaultFocus = DefaultFocus.None });
        if ((await dialog.Result)?.Canceled != false)
        {
            return;
        }

        await RunAsync(async () =>
        {
            var approved = await Actions.ApproveAsync(row);
            _last.Record("approval", Actions.UndoWindow, () => UndoApprovalAsync([approved]));
            var to = string.Join(", ", row.To);
            if (Actions.UndoWindow > TimeSpan.Zero)
            {
                Snackbar.Add($"Sending to {to}.", Severity.Success, options =>
                {
                    options.Action = "Undo";
                    options.ActionColor = Color.Inherit;
                    options.VisibleStateDuration = (int)Actions.UndoWindow.TotalMilliseconds;
                    options.OnClick = _ => UndoApprovalAsync([approved]);
                });
            }
            else
            {
                Snackbar.Add($"Sent to {to}.", Severity.Success);
            }
        });
    }

    private Task UndoApprovalAsync(IReadOnlyList<Draft> approved) => InvokeAsync(async () =>
    {
        _last.Forget();
        var results = new List<ActionResult>();
        foreach (var draft in approved)
        {
            try
            {
                await Actions.UndoApprovalAsync(draft);
                results.Add(ActionResult.Ok(draft.DraftId, "undone"));
            }
            catch (ReviewException e)
            {
                results.Add(ActionResult.Failed(draft.DraftId, e));
            }
        }

        var failed = results.Where(r => !r.Succeeded).ToList();
        if (failed.Count == 0)
        {
            Snackbar.Add(approved.Count == 1 ? "Undone: the draft did not leave and waits for review again." : $"Undone: none of the {approved.Count} drafts left; they wait for review again.", Severity.Info);
        }
        else
        {
            Snackbar.Add(string.Join(" ", failed.Select(f => f.Message)), Severity.Error);
        }

        await Model.LoadAsync();
        StateHasChanged();
    });

    private async Task RescheduleAsync()
    {
        if (OpenRow is not { } row || row.State == DraftState.Sending)
        {
            return;
        }

        if (await AskSendTimeAsync(row.SendAt) is not { } choice)
        {
            return;
        }

        await RunAsync(async () =>
        {
            await Actions.RescheduleAsync(row, choice.Value);
            Snackbar.Add(choice.Value is { } at ? $"Rescheduled for {Clock.Format(at)}." : "Schedule cleared.", Severity.Success);
        });
    }

    /// <summary>Request changes: the supervisor's reason, then the draft goes back to its agent.</summary>
    private async Task RequestChangesAsync()
    {
        if (OpenRow is not { } row || row.State == DraftState.Sending)
        {
            return;
        }

        var dialog = await Dialogs.ShowAsync<RequestChangesDialog>("Request changes", new DialogParameters<RequestChangesDialog> { { d => d.Subject, row.Subject } },
            new DialogOptions { DefaultFocus = DefaultFocus.None });
        if (await dialog.Result is not { Canceled: false, Data: string reason })
        {
            return;
        }

        await RunAsync(async () =>
        {
            await Actions.RequestChangesAsync(row, reason);
            Snackbar.Add("Sent back to the agent.", Severity.Success);
        });
    }

    private async Task AddLabelAsync(string label)
    {
        if (OpenRow is { } row)
        {
            await RunAsync(() => Actions.AddLabelAsync(row, label));
            _labels = await Store.LabelsInUseAsync();
        }
    }

    private Task RemoveLabelAsync(string label) => OpenRow is { } row ? RunAsync(() => Actions.RemoveLabelAsync(row, label)) : Task.CompletedTask;

    /// <summary>The supervisor's pick: a new send time, or none (clear the schedule).</summary>
    private sealed record ScheduleChoice(DateTime? Value);

    /// <summary>Null when the dialog was cancelled.</summary>
    private async Task<ScheduleChoice?> AskSendTimeAsync(DateTime? current)
    {
        var dialog = await Dialogs.ShowAsync<RescheduleDialog>("Reschedule", new DialogParameters<RescheduleDialog> { { d => d.Current, current } });
        var result = await dialog.Result;
        return result is null || result.Canceled ? null : new ScheduleChoice((DateTime?)result.Data);
    }

    /// <summary>Delete with undo: the row says "Deleting… Undo" for the undo window; the delete is made when it ends.</summary>
    private async Task DeleteAsync()
    {
        if (OpenRow is not { } row || row.State == DraftState.Sending || _deletes.IsWaiting(row.DraftId))
        {
            return;
        }

        await _deletes.ScheduleAsync([row]);
        _last.Record("delete", _deletes.Window, () => { UndoDelete(row.DraftId); return Task.CompletedTask; });
        if (_deletes.Window > TimeSpan.Zero)
        {
            Snackbar.Add($"Deleting “{row.Subject ?? "(no subject)"}”.", Severity.Normal, options =>
            {
                options.Action = "Undo";
                options.ActionColor = Color.Inherit;
                options.VisibleStateDuration = (int)_deletes.Window.TotalMilliseconds;
                options.OnClick = _ => InvokeAsync(() => UndoDelete(row.DraftId));
            });
        }
    }

    private void UndoDelete(string draftId)
    {
        _last.Forget();
        if (_deletes.Undo(draftId))
        {
            Snackbar.Add("Kept: the draft was not deleted.", Severity.Info);
        }

        StateHasChanged();
    }

    /// <summary>When a delete's undo window ends (or the page goes away): the deletes themselves.</summary>
    private async Task DeleteNowAsync(IReadOnlyList<QueueRow> rows)
    {
        var results = await ConsoleActions.ForEachAsync(rows, async row => { await Actions.DeleteAsync(row); return "deleted"; });
        if (_disposed)
        {
            return;
        }

        await InvokeAsync(async () =>
        {
            if (rows.Count > 1)
            {
                await ShowSummaryAsync("Delete", rows, results);
            }
            else if (results.FirstOrDefault(r => !r.Succeeded) is { } failed)
            {
                Snackbar.Add(failed.Message, Severity.Error);
            }

            StateHasChanged();
        });
    }

    private async Task<bool> ConfirmBulkAsync(string title, string message, string confirm, bool destructive, IReadOnlyList<QueueRow> rows, bool undoable = true)
    {
        var dialog = await Dialogs.ShowAsync<BulkConfirmDialog>(title, new DialogParameters<BulkConfirmDialog>
        {
            { d => d.Title, title },
            { d => d.Message, message },
            { d => d.ConfirmText, confirm },
            { d => d.Destructive, destructive },
            { d => d.UndoWindow, undoable ? Actions.UndoWindow : TimeSpan.Zero },
            { d => d.Rows, rows },
        }, new DialogOptions { DefaultFocus = DefaultFocus.None });
        return (await dialog.Result)?.Canceled == false;
    }

    private async Task<IReadOnlyList<QueueRow>> SelectedRowsAsync()
    {
        var rows = new List<QueueRow>();
        foreach (var id in Model.Selected.ToList())
        {
            if (await Store.RowAsync(id) is { } row)
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    private async Task BulkApproveAsync()
    {
        var rows = await SelectedRowsAsync();
        if (!await ConfirmBulkAsync("Approve and send?", $"{rows.Count} drafts will be sent:", "Send", false, rows))
        {
            return;
        }

        var approved = new List<Draft>();
        var results = await ConsoleActions.ForEachAsync(rows, async row =>
        {
            approved.Add(await Actions.ApproveAsync(row));
            return Actions.UndoWindow > TimeSpan.Zero ? "sending" : "sent";
        });
        Model.ClearSelection();
        await Model.LoadAsync();
        if (approved.Count > 0)
        {
            _last.Record("bulk approval", Actions.UndoWindow, () => UndoApprovalAsync(approved));
        }

        if (await ShowSummaryAsync("Approve and send", rows, results, canUndo: approved.Count > 0 && Actions.UndoWindow > TimeSpan.Zero))
        {
            await UndoApprovalAsync(approved);
        }
    }

    private async Task BulkRescheduleAsync()
    {
        var rows = await SelectedRowsAsync();
        if (await AskSendTimeAsync(null) is not { } choice)
        {
            return;
        }

        var results = await ConsoleActions.ForEachAsync(rows, async row =>
        {
            await Actions.RescheduleAsync(row, choice.Value);
            return choice.Value is { } at ? $"rescheduled for {Clock.Format(at)}" : "schedule cleared";
        });
        Model.ClearSelection();
        await Model.LoadAsync();
        await ShowSummaryAsync("Reschedule", rows, results);
    }

    private async Task BulkDeleteAsync()
    {
        var rows = (await SelectedRowsAsync()).Where(r => !_deletes.IsWaiting(r.DraftId)).ToList();
        if (!await ConfirmBulkAsync("Delete drafts?", $"{rows.Count} drafts will be deleted:", "Delete", true, rows))
        {
            return;
        }

        Model.ClearSelection();
        await _deletes.ScheduleAsync(rows);
        _last.Record("bulk delete", _deletes.Window, () => { UndoBulkDelete(rows); return Task.CompletedTask; });
        if (_deletes.Window > TimeSpan.Zero)
        {
            Snackbar.Add($"Deleting {rows.Count} drafts.", Severity.Normal, options =>
            {
                options.Action = "Undo";
                options.ActionColor = Color.Inherit;
                options.VisibleStateDuration = (int)_deletes.Window.TotalMilliseconds;
                options.OnClick = _ => InvokeAsync(() => UndoBulkDelete(rows));
            });
        }
    }

    private void UndoBulkDelete(IReadOnlyList<QueueRow> rows)
    {
        _last.Forget();
        var kept = rows.Count(r => _deletes.Undo(r.DraftId));
        Snackbar.Add($"Kept {kept} drafts: none was deleted.", Severity.Info);
        StateHasChanged();
    }

    /// <summary>The page's checkbox: the whole page, and then the offer to take every draft matching the filter.</summary>
    private async Task SelectPageAsync(bool selected)
    {
        Model.SelectAll(selected);
        await Model.CountMatchingAsync();
    }

    /// <summary>
    /// A bulk action over every draft matching the filter: confirmed, then run as a job (each draft at the version it has
    /// now; one changed meanwhile is skipped and reported), its progress shown here as it goes.
    /// </summary>
    private async Task BulkMatchingAsync(BulkKind kind)
    {
        var count = Model.MatchingCount ?? 0;
        var approve = kind == BulkKind.Approve;
        var message = approve
            ? $"All {count} drafts matching the filter will be sent (this page's are listed). This runs in the background and cannot be undone here."
            : $"All {count} drafts matching the filter will be deleted (this page's are listed). This runs in the background and cannot be undone here.";
        if (!await ConfirmBulkAsync(approve ? "Approve and send all?" : "Delete all?", message, approve ? "Send" : "Delete", !approve, Model.Rows, undoable: false))
        {
            return;
        }

        var filter = Model.Filter;
        Model.ClearSelection();
        await RunAsync(async () =>
        {
            _bulk = await Bulk.StartAsync(await Actions.CurrentActorAsync(), kind, filter, Actions.UndoWindow);
            _bulkTimer?.Dispose();
            _bulkPolls ??= new Coalescer<bool>(_ => InvokeAsync(PollBulkAsync), Logger);
            _bulkTimer = Time.CreateTimer(_ => _bulkPolls.AddAsync(true), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        });
    }

    private async Task PollBulkAsync()
    {
        if (_disposed || _bulk is not { Finished: false } running)
        {
            _bulkTimer?.Dispose();
            return;
        }

        _bulk = Bulk.Progress(running.OperationId);
        if (_bulk.Finished)
        {
            _bulkTimer?.Dispose();
            await Model.LoadAsync();
        }

        StateHasChanged();
    }

    /// <summary>What happened to each draft of a bulk action; true when the supervisor chose "Undo".</summary>
    private async Task<bool> ShowSummaryAsync(string title, IReadOnlyList<QueueRow> rows, IReadOnlyList<ActionResult> results, bool canUndo = false)
    {
        var dialog = await Dialogs.ShowAsync<BulkSummaryDialog>(title, new DialogParameters<BulkSummaryDialog>
        {
            { d => d.Results, results },
            { d => d.Subjects, rows.ToDictionary(r => r.DraftId, r => r.Subject ?? "(no subject)") },
            { d => d.CanUndo, canUndo },
        });
        var result = await dialog.Result;
        return result is { Canceled: false, Data: true };
    }

    private async Task ShowHelpAsync() =>
        await Dialogs.ShowAsync<ShortcutHelpDialog>("Keyboard shortcuts", new DialogOptions { CloseOnEscapeKey = true, DefaultFocus = DefaultFocus.None, CloseButton = true });

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

        if (Model.Open is { } open)
        {
            await LoadPaneAsync(open.Draft.DraftId);
        }
    }

    private async Task OnShortcutAsync(string key)
    {
        switch (key)
        {
            case "j" or "k" when !Model.Editing:
                if (Model.MoveFocus(key == "j" ? 1 : -1) is { } next)
                {
                    await FocusAsync(next);
                }

                break;
            case "Enter" when Model.FocusedId is { } focused:
                await OpenAsync(focused);
                break;
            case "Escape" when Model.Editing:
                await LeaveEditorAsync();
                break;
            case "Escape" when Model.PaneOpen:
                Back();
                break;
            case "e" when _supervisor:
                await EditAsync();
                break;
            case "a" when _supervisor && !Model.Editing:
                await ApproveAsync();
                break;
            case "r" when _supervisor && !Model.Editing:
                await RescheduleAsync();
                break;
            case "c" when _supervisor && !Model.Editing:
                await RequestChangesAsync();
                break;
            case "#" or "Delete" when _supervisor && !Model.Editing:
                await DeleteAsync();
                break;
            case "z" when _supervisor && !Model.Editing:
                await UndoLastAsync();
                break;
            case "x" when _supervisor && Model.FocusedId is { } selected:
                Model.ToggleSelected(selected);
                break;
            case "/":
                await JS.InvokeAsync<bool>("reviewConsole.focus", "#queue-search");
                break;
            case "?":
                await ShowHelpAsync();
                break;
        }

        StateHasChanged();
    }

    private static QueueRow ToRow(Draft d) =>
        new(d.DraftId, d.InboxId, d.State, d.To, d.Cc, d.Bcc, d.Subject, d.Preview, d.CurrentLabels, d.SendAt, d.FailureReason, d.Attachments.Count, d.Version, d.CreatedAt, d.UpdatedAt,
            SendRequestedBy: d.SendRequestedBy, HeldReason: d.HeldReason, ChangesRequested: d.ChangesRequested);

    /// <summary>
    /// What the pane shows once rendered is what others see this page on, while its browser is connected; the same
    /// again changes nothing.
    /// </summary>
    private void ShowPresence() =>
        _presence?.Show(Connection.Connected ? Model.Open?.Draft.DraftId : null, Model.Editing ? PresenceMode.Editing : PresenceMode.Viewing);

    private Task ShowPresenceAsync() => InvokeAsync(ShowPresence);

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        Connection.Changed -= ShowPresenceAsync;
        _changes?.Dispose();
        _presenceSubscription?.Dispose();
        _presenceChanges?.Dispose();
        // Others stop seeing this page on its draft as soon as the page (or its circuit) goes.
        _presence?.Dispose();
        _clockTick?.Dispose();
        _bulkTimer?.Dispose();
        _bulkPolls?.Dispose();
        _keys?.Dispose();
        try
        {
            // A delete still in its undo window is made now: leaving the page (or closing the tab) is not an undo.
            await _deletes.DisposeAsync();
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Deletes waiting out their undo window could not be made when the queue closed");
        }
    }
}
