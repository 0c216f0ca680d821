using Microsoft.JSInterop;

namespace AgentMail.Review.Web.Console;

/// <summary>One key and what it does, as the help lists it.</summary>
public sealed record Shortcut(string Keys, string Does);

/// <summary>
/// The circuit's keyboard shortcuts: one browser listener per circuit, handed to whichever page is attached. A page
/// attaches when it shows and detaches (disposes the attachment) when it goes.
/// </summary>
public sealed class KeyboardShortcuts(IJSRuntime js) : IAsyncDisposable
{
    public static readonly IReadOnlyList<Shortcut> Queue =
    [
        new("j / k", "next / previous draft"),
        new("Enter", "open the draft"),
        new("e", "edit (Escape leaves the editor)"),
        new("a", "approve and send (Enter confirms)"),
        new("r", "reschedule"),
        new("c", "request changes (send it back to the agent with a reason)"),
        new("# / Delete", "delete (with undo)"),
        new("z", "undo the last approve or delete (also in bulk), within the undo window"),
        new("x", "select or unselect"),
        new("/", "search"),
        new("Escape", "back to the list (narrow screens)"),
        new("?", "this list"),
    ];

    private IJSObjectReference? _registration;
    private DotNetObjectReference<KeyboardShortcuts>? _self;
    private Func<string, Task>? _handler;

    /// <summary>Routes the keys to <paramref name="handler"/> until the returned attachment is disposed.</summary>
    public async Task<IDisposable> AttachAsync(Func<string, Task> handler)
    {
        _handler = handler;
        if (_registration is null)
        {
            _self = DotNetObjectReference.Create(this);
            _registration = await js.InvokeAsync<IJSObjectReference>("reviewConsole.registerShortcuts", _self);
        }

        return new Attachment(this, handler);
    }

    [JSInvokable]
    public Task OnShortcut(string key) => _handler?.Invoke(key) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _handler = null;
        if (_registration is not null)
        {
            try
            {
                await _registration.InvokeVoidAsync("dispose");
                await _registration.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The browser is already gone; nothing is left to unregister.
            }
        }

        _self?.Dispose();
    }

    private sealed class Attachment(KeyboardShortcuts owner, Func<string, Task> handler) : IDisposable
    {
        public void Dispose()
        {
            if (owner._handler == handler)
            {
                owner._handler = null;
            }
        }
    }
}
