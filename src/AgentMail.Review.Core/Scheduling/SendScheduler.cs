using System.Collections.Concurrent;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Scheduling;

/// <summary>
/// Sees that every scheduled draft due within the horizon has a Hangfire job to send it, following the change feed.
/// A draft due in a while is sent by its second's job (<see cref="SendDueSecondJob"/>, one per second and part, shared
/// by every draft due then), which reads at its time what is due and at which version: a draft rescheduled, edited,
/// unscheduled or deleted meanwhile is not among them, so that job needs no cancelling. A draft due within
/// <see cref="OwnJobWithin"/> — its second's job may already have read — gets a job of its own for its version
/// (<see cref="SendDraftJob"/>), replaced or deleted as the draft changes. Drafts due later get theirs from the
/// due-sweep as they come within the horizon.
/// </summary>
public sealed class SendScheduler(IBackgroundJobClient jobs, IOptions<SchedulingOptions> options, TimeProvider clock) : IDisposable
{
    /// <summary>A second's job reads what is due as it starts, no earlier than the second itself.</summary>
    public static readonly TimeSpan OwnJobWithin = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Each draft this instance scheduled and the version: its own job's id (null while being made, or when its
    /// second's job sends it).
    /// </summary>
    private readonly ConcurrentDictionary<string, (string? OwnJobId, long Version)> _scheduled = new();
    private readonly ConcurrentDictionary<(long Second, int Part), Lazy<string>> _secondJobs = new();
    private readonly Lock _gate = new();
    private IDisposable? _subscription;

    public void Start(DraftChangeFeed feed) => _subscription ??= feed.Subscribe(OnChange);

    public void Schedule(string draftId, long version, DateTime sendAt)
    {
        var now = clock.UtcNowMs();
        string? replaced;
        bool beyondHorizon;
        var ownJob = sendAt < now + OwnJobWithin;
        lock (_gate)
        {
            // Changes can be published from several threads; an older version arriving late must not win.
            if (_scheduled.TryGetValue(draftId, out var previous) && previous.Version >= version)
            {
                return;
            }

            // The version is claimed here; jobs are made outside the lock, since with shared job storage making one
            // is a database round trip, and holding the lock for it would queue every scheduled create behind it.
            beyondHorizon = sendAt > now + options.Value.Horizon;
            if (beyondHorizon)
            {
                _scheduled.TryRemove(draftId, out _);
            }
            else
            {
                _scheduled[draftId] = (null, version);
            }

            replaced = previous.OwnJobId;
        }

        if (replaced is not null)
        {
            Cancel(replaced, beyondHorizon ? "rescheduled beyond the horizon" : "rescheduled");
        }

        if (beyondHorizon)
        {
            return;
        }

        if (!ownJob)
        {
            EnsureSecondJob(SendDueSecondJob.SecondOf(sendAt), SendDueSecondJob.PartOf(draftId));
            return;
        }

        var jobId = sendAt <= now
            ? jobs.Enqueue<SendDraftJob>(job => job.SendScheduledAsync(draftId, version))
            : jobs.Schedule<SendDraftJob>(job => job.SendScheduledAsync(draftId, version), new DateTimeOffset(sendAt, TimeSpan.Zero));
        bool superseded;
        lock (_gate)
        {
            superseded = !(_scheduled.TryGetValue(draftId, out var current) && current.Version == version);
            if (!superseded)
            {
                _scheduled[draftId] = (jobId, version);
            }
        }

        // A newer version, or a claim or deletion, came while this job was being made: it is not wanted any more.
        if (superseded)
        {
            Cancel(jobId, "superseded while it was being scheduled");
        }
    }

    /// <summary>
    /// Enqueues a second's job again, for drafts due then that are overdue (they lost their job): it sends those still
    /// scheduled, each claimed only if still due at the version it reads.
    /// </summary>
    public string EnqueueDue(long second, int part) =>
        jobs.Enqueue<SendDueSecondJob>(job => job.RunAsync(second, part));

    /// <summary>One job per second and part from this instance, made once; seconds long past are forgotten.</summary>
    private void EnsureSecondJob(long second, int part)
    {
        var key = (second, part);
        var job = _secondJobs.GetOrAdd(key, _ => new Lazy<string>(() => jobs.Schedule<SendDueSecondJob>(
            j => j.RunAsync(second, part), new DateTimeOffset(SendDueSecondJob.StartOf(second), TimeSpan.Zero))));
        try
        {
            _ = job.Value;
        }
        catch
        {
            // Not made (job storage unreachable): the next draft due then tries again; until then the sweep covers it.
            _secondJobs.TryRemove(KeyValuePair.Create(key, job));
            throw;
        }

        if (_secondJobs.Count > 10_000)
        {
            var past = SendDueSecondJob.SecondOf(clock.UtcNowMs()) - 60;
            foreach (var old in _secondJobs.Keys.Where(k => k.Second < past))
            {
                _secondJobs.TryRemove(old, out _);
            }
        }
    }

    private void OnChange(DraftChange change)
    {
        if (change.Kind is DraftChangeKind.Created or DraftChangeKind.Updated && change.State == DraftState.Scheduled && change.SendAt is { } sendAt)
        {
            Schedule(change.DraftId, change.Version, sendAt);
            return;
        }

        string? unwanted = null;
        lock (_gate)
        {
            if (_scheduled.TryGetValue(change.DraftId, out var scheduled) && scheduled.Version <= change.Version)
            {
                _scheduled.TryRemove(change.DraftId, out _);
                unwanted = scheduled.OwnJobId;
            }
        }

        // A job still being made is cancelled by its maker, which finds its version gone from the map.
        if (unwanted is not null)
        {
            Cancel(unwanted, $"draft {change.Kind.ToString().ToLowerInvariant()} ({change.State.ToString().ToLowerInvariant()})");
        }
    }

    /// <summary>Deletes a job that is still waiting; one already running is left to find the version moved on.</summary>
    private void Cancel(string jobId, string reason)
    {
        if (!jobs.ChangeState(jobId, new DeletedState { Reason = reason }, ScheduledState.StateName))
        {
            jobs.ChangeState(jobId, new DeletedState { Reason = reason }, EnqueuedState.StateName);
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
