using Microsoft.JSInterop;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// The supervisor's own time zone, read from the browser once per circuit. Times are stored in UTC and shown and
/// entered in this zone.
/// </summary>
public sealed class BrowserClock(IJSRuntime js, TimeProvider clock)
{
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public string ZoneName => Zone.Id;

    public DateTime UtcNow => clock.GetUtcNow().UtcDateTime;

    public DateTime LocalNow => ToLocal(UtcNow);

    public async Task LoadAsync()
    {
        try
        {
            var id = await js.InvokeAsync<string>("reviewConsole.timeZone");
            if (!string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
            {
                Zone = zone;
            }
        }
        catch (JSException)
        {
            // A browser that cannot say keeps UTC, which is shown as such.
        }
    }

    public DateTime ToLocal(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);

    /// <summary>A wall-clock time in the supervisor's zone as UTC; a time skipped by a DST change moves forward.</summary>
    public DateTime ToUtc(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (Zone.IsInvalidTime(unspecified))
        {
            unspecified = unspecified.AddMinutes(30);
        }

        return TimeZoneInfo.ConvertTimeToUtc(unspecified, Zone);
    }

    public string Format(DateTime utc) => ToLocal(utc).ToString("ddd d MMM yyyy, HH:mm");

    /// <summary>"in 2 h", "5 min ago": how far a time is from now.</summary>
    public string Relative(DateTime utc)
    {
        var delta = utc - UtcNow;
        var future = delta >= TimeSpan.Zero;
        var span = future ? delta : -delta;
        var text = span.TotalSeconds < 60 ? $"{Math.Max(1, (int)span.TotalSeconds)} s"
            : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes} min"
            : span.TotalHours < 48 ? $"{(int)span.TotalHours} h"
            : $"{(int)span.TotalDays} d";
        return future ? $"in {text}" : $"{text} ago";
    }
}
