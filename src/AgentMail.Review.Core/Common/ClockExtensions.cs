namespace AgentMail.Review.Core.Common;

public static class ClockExtensions
{
    /// <summary>
    /// Now in UTC, truncated to whole milliseconds: the wire carries milliseconds, so the store keeps exactly
    /// what clients see and a timestamp read back from the API compares equal to the stored one.
    /// </summary>
    public static DateTime UtcNowMs(this TimeProvider clock) => TruncateToMs(clock.GetUtcNow().UtcDateTime);

    public static DateTime TruncateToMs(DateTime utc) =>
        new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
}
