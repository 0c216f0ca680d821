using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using Hangfire;

namespace AgentMail.Review.Core.Scheduling;

/// <summary>
/// The Hangfire job behind every scheduled send. Its arguments pin the draft version it was created for, so a job for
/// an old schedule or an edited draft finds the version moved on and does nothing. Hangfire must not retry it: a
/// transient failure schedules the draft again (a new version, a new job), and a second run could only find it
/// claimed or gone.
/// </summary>
public sealed class SendDraftJob(SendService sending, DraftQueries queries, TimeProvider clock)
{
    /// <summary>
    /// Hangfire keeps schedule times in whole seconds, so a job can start up to a second before its draft's send
    /// time; it waits out that remainder instead of leaving the draft to the due-sweep.
    /// </summary>
    private static readonly TimeSpan LongestEarlyStart = TimeSpan.FromSeconds(2);

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

        // Claims only if still scheduled at this version, due by now and releasable: never early, never a stale
        // schedule, never past the review gate.
        await sending.SendDueAsync(draftId, version);
    }
}
