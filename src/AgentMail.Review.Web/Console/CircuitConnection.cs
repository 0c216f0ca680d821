using Microsoft.AspNetCore.Components.Server.Circuits;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// Whether this circuit's browser is connected now. A tab that goes without saying goodbye (a closed laptop, a lost
/// network, a browser ended) leaves its circuit kept for minutes in case it comes back; its page uses this to stop
/// showing others that it is on a draft meanwhile, and to show it again if the browser reconnects.
/// </summary>
public sealed class CircuitConnection : CircuitHandler
{
    public bool Connected { get; private set; } = true;

    /// <summary>Raised on the circuit's own thread when the browser drops or comes back.</summary>
    public event Func<Task>? Changed;

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken) => SetAsync(false);

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken) => SetAsync(true);

    private Task SetAsync(bool connected)
    {
        if (Connected == connected)
        {
            return Task.CompletedTask;
        }

        Connected = connected;
        return Changed?.Invoke() ?? Task.CompletedTask;
    }
}
