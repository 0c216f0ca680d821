using System.Collections.Concurrent;
using AgentMail.Review.Core.Delivery;

namespace AgentMail.Review.Core.Scheduling;

/// <summary>Lets a caller that enqueued a send (the API) wait for that send job's outcome in this process.</summary>
public sealed class SendOutcomes
{
    private readonly ConcurrentDictionary<(string DraftId, long Version), TaskCompletionSource<SendOutcome>> _waiting = new();

    public Task<SendOutcome> Expect(string draftId, long version) =>
        _waiting.GetOrAdd((draftId, version), _ => new TaskCompletionSource<SendOutcome>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Forget(string draftId, long version) => _waiting.TryRemove((draftId, version), out _);

    public void Report(string draftId, long version, SendOutcome outcome)
    {
        if (_waiting.TryRemove((draftId, version), out var waiter))
        {
            waiter.TrySetResult(outcome);
        }
    }
}
