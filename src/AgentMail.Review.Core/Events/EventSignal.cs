namespace AgentMail.Review.Core.Events;

/// <summary>
/// The wake-up after a commit that appended events: consumers wait on it instead of polling hard. It carries no
/// events itself — a consumer that misses a pulse finds the rows on its next read of the log.
/// </summary>
public sealed class EventSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Pulse"/> after it was taken.</summary>
    public Task Next
    {
        get
        {
            lock (_gate)
            {
                return _next.Task;
            }
        }
    }

    public void Pulse()
    {
        TaskCompletionSource pulsed;
        lock (_gate)
        {
            pulsed = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        pulsed.TrySetResult();
    }
}
