using System.Collections.Concurrent;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Scheduling;

/// <summary>
/// Keeps one Hangfire job per scheduled draft due within the horizon, following the change feed: a draft scheduled (or
/// changed while scheduled) gets a job for its new version at its send time and the old job is deleted; unscheduled,
/// deleted or claimed drafts lose theirs. Drafts due later get theirs from the due-sweep as they come within the
/// horizon. A draft already due is enqueued at once rather than waiting for Hangfire's next poll.
/// </summary>
public sealed class SendScheduler(IBackgroundJobClient jobs, IOptions<SchedulingOptions> options, TimeProvider clock) : IDisposable
{
    /// <summary>Each draft's job and the version it is for; the job id is null while the job is being made.</summary>
    private readonly ConcurrentDictionary<string, (string? JobId, long Version)> _scheduledJobs = new();
    private readonly Lock _gate = new();
    private IDisposable? _subscription;

    public void Start(DraftChangeFeed feed) => _subscription ??= feed.Subscribe(OnChange);

    public void Schedule(string draftId, long version, DateTime sendAt)
    {
        string? replaced;
        bool beyondHorizon;
        lock (_gate)
        {
            // Changes can be published from several threads; an older version arriving late must not win.
            if (_scheduledJobs.TryGetValue(draftId, out var previous) && previous.Version >= version)
            {
                return;
            }

            // The version is claimed here; the job is made outside the lock, since with shared job storage making one
            // is a database round trip, and holding the lock for it would queue every scheduled create behind it.
            beyondHorizon = sendAt > clock.UtcNowMs() + options.Value.Horizon;
            if (beyondHorizon)
            {
                _scheduledJobs.TryRemove(draftId, out _);
            }
            else
            {
                _scheduledJobs[draftId] = (null, version);
            }

            replaced = previous.JobId;
        }

        if (beyondHorizon)
        {
            if (replaced is not null)
            {
                Cancel(replaced, "rescheduled beyond the horizon");
            }

            return;
        }

        var jobId = sendAt <= clock.UtcNowMs()
            ? jobs.Enqueue<SendDraftJob>(job => job.SendScheduledAsync(draftId, version))
            : jobs.Schedule<SendDraftJob>(job => job.SendScheduledAsync(draftId, version), new DateTimeOffset(sendAt, TimeSpan.Zero));
        if (replaced is not null)
        {
            Cancel(replaced, "rescheduled");
        }

        bool superseded;
        lock (_gate)
        {
            superseded = !(_scheduledJobs.TryGetValue(draftId, out var current) && current.Version == version);
            if (!superseded)
            {
                _scheduledJobs[draftId] = (jobId, version);
            }
        }

        // A newer version, or a claim or deletion, came while this job was being made: it is not wanted any more.
        if (superseded)
        {
            Cancel(jobId, "superseded while it was being scheduled");
        }
    }

    /// <summary>Enqueues the send of a draft that is overdue (it lost its job): the job claims it only if still due at this version.</summary>
    public string EnqueueDue(string draftId, long version) =>
        jobs.Enqueue<SendDraftJob>(job => job.SendScheduledAsync(draftId, version));

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
            if (_scheduledJobs.TryGetValue(change.DraftId, out var scheduled) && scheduled.Version <= change.Version)
            {
                _scheduledJobs.TryRemove(change.DraftId, out _);
                unwanted = scheduled.JobId;
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
