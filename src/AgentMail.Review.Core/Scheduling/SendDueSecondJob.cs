using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Scheduling;

/// <summary>
/// The Hangfire job behind scheduled sends: one per due second and part, not one per draft, so thousands of drafts
/// due in one second cost a handful of jobs (each Hangfire job is dozens of round trips to shared job storage), while
/// every draft is still claimed on its own terms — its version, its send time, the review gate. Drafts whose time has
/// come are sent in batches of up to <see cref="SchedulingOptions.SendBatch"/>: claimed in one commit, transmitted
/// <see cref="SchedulingOptions.Workers"/> at a time, recorded in one commit (<see cref="SendService.SendDueAsync(IReadOnlyList{DueDraft})"/>). Drafts fall into
/// <see cref="Parts"/> by id, so the instances sharing job storage share a burst. A part's job that is done sends what
/// another part's job has left <see cref="TakeOverAfter"/> past its time (that job's instance died mid-burst); the
/// claim lets each draft leave once whoever tries it.
/// </summary>
public sealed partial class SendDueSecondJob(
    DraftQueries queries,
    SendService sending,
    SecondJobsRunning running,
    IOptions<SchedulingOptions> options,
    TimeProvider clock,
    ILogger<SendDueSecondJob> logger)
{
    public const int Parts = 4;

    public static readonly TimeSpan TakeOverAfter = TimeSpan.FromSeconds(5);

    /// <summary>Hangfire keeps schedule times in whole seconds; a job that starts earlier than this leaves its drafts.</summary>
    private static readonly TimeSpan LongestEarlyStart = TimeSpan.FromSeconds(2);

    /// <summary>After this long a job leaves whatever is still unsent to the due-sweep.</summary>
    private static readonly TimeSpan LongestTakeOver = TimeSpan.FromMinutes(2);

    /// <summary>The same on every instance (unlike <see cref="string.GetHashCode()"/>): FNV-1a over the id.</summary>
    public static int PartOf(string draftId)
    {
        var hash = 2166136261u;
        foreach (var c in draftId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Parts);
    }

    public static long SecondOf(DateTime sendAt) => (long)Math.Floor((sendAt - DateTime.UnixEpoch).TotalSeconds);

    public static DateTime StartOf(long second) => DateTime.UnixEpoch.AddSeconds(second);

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Scheduled sends due in second {0} (part {1})")]
    public async Task RunAsync(long dueSecond, int part)
    {
        using var entered = running.TryEnter(dueSecond, part);
        if (entered is null)
        {
            return;
        }

        var from = StartOf(dueSecond);
        var due = await queries.ScheduledBetweenAsync(from, from.AddSeconds(1));
        await SendAllAsync(due.Where(d => PartOf(d.DraftId) == part).ToList());

        var giveUpAt = clock.UtcNowMs() + LongestTakeOver;
        while (clock.UtcNowMs() < giveUpAt)
        {
            var left = await queries.ScheduledBetweenAsync(from, from.AddSeconds(1));
            if (left.Count == 0)
            {
                return;
            }

            var now = clock.UtcNowMs();
            var abandoned = left.Where(d => d.SendAt + TakeOverAfter <= now).ToList();
            if (abandoned.Count > 0)
            {
                // From the other end of the list: a part's job that is only slow, not gone, works from the front.
                LogTakingOver(logger, abandoned.Count, dueSecond, part);
                abandoned.Reverse();
                await SendAllAsync(abandoned);
            }
            else
            {
                await Task.Delay(TimeSpan.FromSeconds(1), clock);
            }
        }
    }

    /// <summary>
    /// In send-time order, as each comes due, up to <see cref="SchedulingOptions.SendBatch"/> at once; a failure leaves
    /// those drafts scheduled for the sweep. Like a draft's own job, this waits out a start up to
    /// <see cref="LongestEarlyStart"/> early and leaves drafts further ahead to their later jobs.
    /// </summary>
    private async Task SendAllAsync(IReadOnlyList<DueDraft> drafts)
    {
        var next = 0;
        while (next < drafts.Count)
        {
            var early = drafts[next].SendAt - clock.UtcNowMs();
            if (early > LongestEarlyStart)
            {
                return;
            }

            if (early > TimeSpan.Zero)
            {
                await Task.Delay(early, clock);
                continue;
            }

            var now = clock.UtcNowMs();
            var chunk = drafts.Skip(next).Take(options.Value.SendBatch).TakeWhile(d => d.SendAt <= now).ToList();
            next += chunk.Count;
            try
            {
                await sending.SendDueAsync(chunk);
            }
            catch (Exception e)
            {
                LogSendFailed(logger, e, chunk.Count, chunk[0].DraftId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending {Count} drafts due in second {Second} that were still unsent 5 s past their time (this is part {Part})")]
    private static partial void LogTakingOver(ILogger logger, int count, long second, int part);

    [LoggerMessage(Level = LogLevel.Error, Message = "The scheduled send of {Count} drafts from {DraftId} on failed; those not sent stay scheduled and are tried again")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, int count, string draftId);
}
