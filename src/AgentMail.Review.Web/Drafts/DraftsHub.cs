using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Console;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Web.Drafts;

/// <summary>What every subscriber of <c>/hubs/drafts</c> receives, as <c>draftChanged</c>, for each committed change.</summary>
public sealed record DraftChangedMessage(string Kind, string DraftId, string InboxId, long Version, string State, DateTime? SendAt, string ChangedBy, DateTime At, string? MessageId)
{
    public static DraftChangedMessage From(DraftChange c) => new(
        c.Kind.ToString().ToLowerInvariant(), c.DraftId, c.InboxId, c.Version, c.State.ToString().ToLowerInvariant(), c.SendAt, c.Actor.DisplayName, c.At, c.MessageId);
}

/// <summary>Live draft changes for consoles, scripts and other tools. Clients only listen.</summary>
public sealed class DraftsHub : Hub
{
    public const string Path = "/hubs/drafts";
    public const string ChangedMethod = "draftChanged";
}

/// <summary>Which commits an instance relays to its hub's clients.</summary>
public sealed class DraftsHubRelayOptions
{
    /// <summary>
    /// Only this instance's own commits: with a SignalR backplane (Redis) the backplane hands each message to every
    /// instance's clients, so relaying what other instances committed as well would reach each client twice.
    /// Without one, an instance relays every change its consoles see (every instance's, when they share a store).
    /// </summary>
    public bool OwnCommitsOnly { get; set; }
}

/// <summary>Forwards committed draft changes to the hub's clients, each change once to each client.</summary>
public sealed class DraftsHubRelay(
    InProcessDraftChangeStream ownCommits,
    IDraftChangeStream everyInstance,
    IOptions<DraftsHubRelayOptions> options,
    IHubContext<DraftsHub> hub,
    ILogger<DraftsHubRelay> logger) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var source = options.Value.OwnCommitsOnly ? ownCommits : everyInstance;
        _subscription = source.Subscribe(ForwardAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private async Task ForwardAsync(DraftChange change)
    {
        try
        {
            await hub.Clients.All.SendAsync(DraftsHub.ChangedMethod, DraftChangedMessage.From(change));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not forward the change of draft {DraftId} to hub clients", change.DraftId);
        }
    }
}
