using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using Hangfire;

namespace AgentMail.Review.Core.Scheduling;

/// <summary>
/// The Hangfire job behind every send. Its arguments pin the draft version it was created for, so a job for an old
/// schedule or an edited draft finds the version moved on and does nothing. Hangfire must not retry it: delivery
/// retries are the sender's, and a second run could only find the draft claimed or gone.
/// </summary>
public sealed class SendDraftJob(DraftSender sender, DraftQueries queries, SendOutcomes outcomes, TimeProvider clock)
{
    /// <summary>
    /// Hangfire keeps schedule times in whole seconds, so a job can start up to a second before its draft's send
    /// time; it waits out that remainder instead of leaving the draft to the due-sweep.
    /// </summary>
    private static readonly TimeSpan LongestEarlyStart = TimeSpan.FromSeconds(2);

    /// <summary>A scheduled draft's send, at its send time.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Scheduled send of draft {0} (version {1})")]
    public async Task SendScheduledAsync(string draftId, long version)
    {
        var sendAt = await queries.ScheduledSendAtAsync(draftId, version);
        if (sendAt is null)
        {
            return;
        }

        // A timer may wake a few milliseconds early, and a claim before send_at is refused: wait until it has come.
        for (var early = sendAt.Value - clock.UtcNowMs(); early > TimeSpan.Zero; early = sendAt.Value - clock.UtcNowMs())
        {
            if (early > LongestEarlyStart)
            {
                return;
            }

            await Task.Delay(early, clock);
        }

        // Claims only if still scheduled at this version and due by now: never early, never a stale schedule.
        await sender.SendAsync(Actor.System, draftId, version, "scheduled send", dueBy: clock.UtcNowMs());
    }

    /// <summary>A send asked for now: an agent's send call, or a supervisor's approve-and-send.</summary>
    /// <param name="ticket">Set when a caller waits for this job's outcome (<see cref="SendOutcomes"/>).</param>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Send draft {0} (version {1}) now")]
    public async Task SendNowAsync(string draftId, long version, Actor requestedBy, string reason, string? idempotencyKey, string? ticket)
    {
        var outcome = await sender.SendAsync(requestedBy, draftId, version, reason, idempotencyKey);
        outcomes.Report(ticket, outcome);
    }
}
