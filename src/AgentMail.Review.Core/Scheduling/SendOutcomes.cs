using System.Collections.Concurrent;
using AgentMail.Review.Core.Delivery;

namespace AgentMail.Review.Core.Scheduling;

/// <summary>
/// Lets a caller that enqueued a send (the API) wait for that very job's outcome in this process. Each request has
/// its own ticket, so of two racing requests for one draft, one learns it sent and the other that it lost.
/// </summary>
public sealed class SendOutcomes
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<SendOutcome>> _waiting = new();

    public Task<SendOutcome> Expect(string ticket) =>
        _waiting.GetOrAdd(ticket, _ => new TaskCompletionSource<SendOutcome>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Forget(string ticket) => _waiting.TryRemove(ticket, out _);

    public void Report(string? ticket, SendOutcome outcome)
    {
        if (ticket is not null && _waiting.TryRemove(ticket, out var waiter))
        {
            waiter.TrySetResult(outcome);
        }
    }
}
