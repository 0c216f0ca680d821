using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Scheduling;

/// <summary>
/// The Hangfire job behind scheduled sends: one per due second and part, not one per draft, so thousands of drafts
/// due in one second cost a handful of jobs (each Hangfire job is dozens of round trips to shared job storage), while
/// every draft is still claimed on its own by <see cref="SendDraftJob"/> — its version, its send time, the review
/// gate. Drafts fall into <see cref="Parts"/> by id, so the instances sharing job storage share a burst. A part's job
/// that is done sends what another part's job has left <see cref="TakeOverAfter"/> past its time (that job's instance
/// died mid-burst); the claim lets each draft leave once whoever tries it.
/// </summary>
public sealed partial class SendDueSecondJob(
    DraftQueries queries,
    SendDraftJob send,
    SecondJobsRunning running,
    IOptions<SchedulingOptions> options,
    TimeProvider clock,
    ILogger<SendDueSecondJob> logger)
{
    public const int Parts = 4;

    public static readonly TimeSpan TakeOverAfter = TimeSpan.FromSeconds(5);

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
        await SendAllAsync(due.Where(d => PartOf(d.DraftId) == part));

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

    /// <summary>In send-time order, several at once; one draft's failure is its own (it stays scheduled for the sweep).</summary>
    private Task SendAllAsync(IEnumerable<DueDraft> drafts) =>
        Parallel.ForEachAsync(drafts, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Workers }, async (draft, _) =>
        {
            try
            {
                await send.SendScheduledAsync(draft.DraftId, draft.Version);
            }
            catch (Exception e)
            {
                LogSendFailed(logger, e, draft.DraftId);
            }
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending {Count} drafts due in second {Second} that were still unsent 5 s past their time (this is part {Part})")]
    private static partial void LogTakingOver(ILogger logger, int count, long second, int part);

    [LoggerMessage(Level = LogLevel.Error, Message = "The scheduled send of draft {DraftId} failed; it stays scheduled and is tried again")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string draftId);
}
