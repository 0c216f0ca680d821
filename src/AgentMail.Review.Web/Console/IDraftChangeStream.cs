using AgentMail.Review.Core.Drafts;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// How console components hear about draft changes. Components only see this interface: running several instances
/// behind a SignalR backplane means swapping the implementation (for one fed by the backplane), not the components.
/// </summary>
public interface IDraftChangeStream
{
    IDisposable Subscribe(Func<DraftChange, Task> onChange);
}

/// <summary>The single-instance stream: the drafts service's own change feed.</summary>
public sealed class InProcessDraftChangeStream(DraftChangeFeed feed, ILogger<InProcessDraftChangeStream> logger) : IDraftChangeStream
{
    public IDisposable Subscribe(Func<DraftChange, Task> onChange) => feed.Subscribe(change =>
    {
        // Publishers must not wait for a circuit's render; the handler marshals onto the circuit itself.
        _ = Task.Run(async () =>
        {
            try
            {
                await onChange(change);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "A console subscriber failed to take draft change {DraftId}", change.DraftId);
            }
        });
    });
}
