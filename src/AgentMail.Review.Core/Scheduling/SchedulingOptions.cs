using System.ComponentModel.DataAnnotations;

namespace AgentMail.Review.Core.Scheduling;

/// <summary>Bound from <c>Review:Scheduling</c>.</summary>
public sealed class SchedulingOptions
{
    public const string Section = "Review:Scheduling";

    /// <summary>
    /// How often Hangfire looks for scheduled jobs that have come due; a draft leaves at most this long after its
    /// send time (Hangfire's own default of 15 s would make sends up to 15 s late).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00", ErrorMessage = "Review:Scheduling:PollingInterval must be between 50 ms and 1 minute")]
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Only drafts due within this window hold a Hangfire job; the due-sweep hands jobs to drafts as they come into
    /// it. A store with a million drafts scheduled weeks ahead then starts in seconds and keeps no job for each.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "Review:Scheduling:Horizon must be between 1 minute and 1 day")]
    public TimeSpan Horizon { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long past its send time a scheduled draft may wait before the due-sweep sends it itself.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Review:Scheduling:SweepGrace must be between 1 second and 1 hour")]
    public TimeSpan SweepGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The due-sweep's schedule (six-part cron: seconds first).</summary>
    [Required]
    public string SweepCron { get; set; } = "*/15 * * * * *";

    /// <summary>Hangfire workers (jobs that run at once), and how many drafts one part's job has with a mail server at once.</summary>
    [Range(1, 200, ErrorMessage = "Review:Scheduling:Workers must be between 1 and 200")]
    public int Workers { get; set; } = 20;

    /// <summary>
    /// How many drafts of a due second one part's job takes at a time. With the Outbox they are sent together:
    /// claimed in one commit and recorded in one commit (each commit costs something of its own besides its rows, so
    /// a burst drains faster in larger batches; a batch's drafts show "sending" until the whole batch is recorded).
    /// With a mail server they go <see cref="Workers"/> at once and to a commit, each a round trip to the server.
    /// </summary>
    [Range(1, 1000, ErrorMessage = "Review:Scheduling:SendBatch must be between 1 and 1000")]
    public int SendBatch { get; set; } = 250;

    /// <summary>How long the API's send waits for the send job before answering 202 Accepted instead of 200.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Review:Scheduling:ApiSendWait must be between 1 second and 5 minutes")]
    public TimeSpan ApiSendWait { get; set; } = TimeSpan.FromSeconds(60);
}
