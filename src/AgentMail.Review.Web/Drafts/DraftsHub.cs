using AgentMail.Review.Core.Drafts;
using Microsoft.AspNetCore.SignalR;

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

/// <summary>Forwards every committed change from the drafts service to the hub's clients.</summary>
public sealed class DraftsHubRelay(DraftChangeFeed feed, IHubContext<DraftsHub> hub, ILogger<DraftsHubRelay> logger) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = feed.Subscribe(change => _ = ForwardAsync(change));
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
