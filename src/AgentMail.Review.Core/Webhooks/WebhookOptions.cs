using System.ComponentModel.DataAnnotations;

namespace AgentMail.Review.Core.Webhooks;

/// <summary>Bound from <c>Review:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Review:Webhooks";

    /// <summary>
    /// Lets endpoints resolve to loopback, private and link-local addresses. Off in production: an agent's URL must
    /// not reach this machine's or its network's internal services. On in Development and the tests only.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long one attempt may take, connecting and reading the answer included.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Review:Webhooks:Timeout must be between 1 second and 1 minute")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>An endpoint whose attempts have all failed for this long is disabled.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Review:Webhooks:DisableAfter must be between 1 minute and 30 days")]
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>
    /// Svix's schedule, which AgentMail's deliveries follow: the first attempt at once, then after each failure the
    /// next waits this long. Eight attempts in all, over about 28 hours.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> RetrySchedule =
    [
        TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>How much of an answer's body is read and kept.</summary>
    public const int KeptResponseBytes = 1024;
}
