using System.Collections.Concurrent;

namespace AgentMail.Review.Core.Scheduling;

/// <summary>
/// The seconds' jobs (<see cref="SendDueSecondJob"/>) running in this process, by second and part. A second job for
/// the same second and part — enqueued again by the due-sweep while the first still works through a burst — ends at
/// once instead of racing it draft for draft, and the sweep does not enqueue one for a pair running here.
/// </summary>
public sealed class SecondJobsRunning
{
    private readonly ConcurrentDictionary<(long Second, int Part), byte> _running = new();

    public bool IsRunning(long second, int part) => _running.ContainsKey((second, part));

    /// <summary>Null when a job of this second and part already runs here; otherwise held until disposed.</summary>
    public IDisposable? TryEnter(long second, int part) =>
        _running.TryAdd((second, part), 0) ? new Entered(this, (second, part)) : null;

    private sealed class Entered(SecondJobsRunning owner, (long, int) key) : IDisposable
    {
        public void Dispose() => owner._running.TryRemove(key, out _);
    }
}
