using System.Globalization;
using Microsoft.JSInterop;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// The supervisor's own time zone, locale and clock (12 h or 24 h), read from the browser once per circuit before
/// anything is shown. Times are stored in UTC and shown and entered in this zone, written the browser's way.
/// </summary>
public sealed class BrowserClock(IJSRuntime js, TimeProvider clock)
{
    private Task? _loading;
    private string? _standardAbbreviation;
    private string? _daylightAbbreviation;

    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public string ZoneName => Zone.Id;

    /// <summary>The browser's locale; dates and times are formatted and parsed with it.</summary>
    public CultureInfo Culture { get; private set; } = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>Whether the browser's locale writes times on a 12-hour clock ("2:30 PM").</summary>
    public bool Uses12Hour { get; private set; }

    public bool Loaded { get; private set; }

    public DateTime UtcNow => clock.GetUtcNow().UtcDateTime;

    public DateTime LocalNow => ToLocal(UtcNow);

    /// <summary>The time pattern of the browser's clock: "h:mm tt" or "HH:mm".</summary>
    public string TimePattern => Uses12Hour ? "h:mm tt" : "HH:mm";

    /// <summary>Reads the browser once; later calls wait for the same read.</summary>
    public Task EnsureLoadedAsync() => _loading ??= LoadAsync();

    public async Task LoadAsync()
    {
        try
        {
            var id = await js.InvokeAsync<string?>("reviewConsole.timeZone");
            if (!string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
            {
                Zone = zone;
            }

            if (await js.InvokeAsync<BrowserLocale?>("reviewConsole.locale", Zone.Id) is { } locale)
            {
                Apply(locale);
            }
        }
        catch (JSException)
        {
            // A browser that cannot say keeps UTC and a 24-hour clock, which are shown as such.
        }

        Loaded = true;
    }

    /// <summary>What the browser said about its locale: its name, its clock, and its short names for this zone.</summary>
    public sealed record BrowserLocale(string? Locale, bool Hour12, string? Standard, string? Daylight);

    public void Apply(BrowserLocale locale)
    {
        if (!string.IsNullOrWhiteSpace(locale.Locale))
        {
            try
            {
                Culture = CultureInfo.GetCultureInfo(locale.Locale);
            }
            catch (CultureNotFoundException)
            {
                // Unknown to this server's ICU: formats stay en-GB, the zone is still the browser's.
            }
        }

        Uses12Hour = locale.Hour12;
        _standardAbbreviation = Readable(locale.Standard);
        _daylightAbbreviation = Readable(locale.Daylight);
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

    /// <summary>The zone's short name at that moment: "CET" or "CEST", "EST", else "UTC+01:00".</summary>
    public string ZoneAbbreviation(DateTime utc)
    {
        var daylight = Zone.IsDaylightSavingTime(ToLocal(utc));
        if ((daylight ? _daylightAbbreviation : _standardAbbreviation) is { } name)
        {
            return name;
        }

        if (Zone == TimeZoneInfo.Utc)
        {
            return "UTC";
        }

        var offset = Zone.GetUtcOffset(utc);
        return $"UTC{(offset < TimeSpan.Zero ? "-" : "+")}{offset.Duration():hh\\:mm}";
    }

    /// <summary>A time on the browser's clock: "2:30 PM" or "14:30".</summary>
    public string FormatTime(DateTime local) => local.ToString(TimePattern, Culture);

    /// <summary>"Wed 2 Dec 2026, 14:30 CET" (en-GB) or "Wed, Dec 2, 2026, 2:30 PM EST" (en-US).</summary>
    public string Format(DateTime utc)
    {
        var local = ToLocal(utc);
        return $"{local.ToString(LongDatePattern, Culture)}, {FormatTime(local)} {ZoneAbbreviation(utc)}";
    }

    /// <summary>As <see cref="Format"/>, with seconds: for the history.</summary>
    public string FormatWithSeconds(DateTime utc)
    {
        var local = ToLocal(utc);
        var time = local.ToString(Uses12Hour ? "h:mm:ss tt" : "HH:mm:ss", Culture);
        return $"{local.ToString(LongDatePattern, Culture)}, {time} {ZoneAbbreviation(utc)}";
    }

    /// <summary>Short, for a list row: "14:30 CET" today, "Wed 14:30 CET" this week, else "2 Dec, 14:30 CET".</summary>
    public string FormatShort(DateTime utc)
    {
        var local = ToLocal(utc);
        var days = (local.Date - LocalNow.Date).TotalDays;
        var date = days == 0 ? null
            : Math.Abs(days) < 7 ? local.ToString("ddd", Culture)
            : local.ToString(MonthDayPattern, Culture);
        return $"{(date is null ? "" : date + (Math.Abs(days) < 7 ? " " : ", "))}{FormatTime(local)} {ZoneAbbreviation(utc)}";
    }

    /// <summary>A local date as the browser writes it: "12/02/2026" (en-US), "02/12/2026" (en-GB).</summary>
    public string FormatDate(DateTime local) => local.ToString(DatePattern, Culture);

    /// <summary>The locale's short date with two-digit day and month, so what is shown can be typed back.</summary>
    public string DatePattern
    {
        get
        {
            var pattern = Culture.DateTimeFormat.ShortDatePattern;
            if (!pattern.Contains("dd"))
            {
                pattern = pattern.Replace("d", "dd");
            }

            if (!pattern.Contains("MM"))
            {
                pattern = pattern.Replace("M", "MM");
            }

            return pattern;
        }
    }

    private bool MonthFirst => Culture.DateTimeFormat.ShortDatePattern.IndexOf('M') < Culture.DateTimeFormat.ShortDatePattern.IndexOf('d');

    private string LongDatePattern => MonthFirst ? "ddd, MMM d, yyyy" : "ddd d MMM yyyy";

    private string MonthDayPattern => MonthFirst ? "MMM d" : "d MMM";

    /// <summary>"in 2 h", "5 min ago": how far a time is from now.</summary>
    public string Relative(DateTime utc)
    {
        var delta = utc - UtcNow;
        var future = delta >= TimeSpan.Zero;
        var text = Span(future ? delta : -delta);
        return future ? $"in {text}" : $"{text} ago";
    }

    /// <summary>How old something is, for a list row: "40 s", "5 min", "3 h", "2 d".</summary>
    public string Age(DateTime utc) => Span((UtcNow - utc).Duration());

    private static string Span(TimeSpan span) =>
        span.TotalSeconds < 60 ? $"{Math.Max(1, (int)span.TotalSeconds)} s"
        : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes} min"
        : span.TotalHours < 48 ? $"{(int)span.TotalHours} h"
        : $"{(int)span.TotalDays} d";

    /// <summary>Browsers without a name for a zone in a locale say "GMT+1"; shown as UTC+01:00 instead.</summary>
    private static string? Readable(string? abbreviation) =>
        string.IsNullOrWhiteSpace(abbreviation) || abbreviation.StartsWith("GMT", StringComparison.Ordinal) ? null : abbreviation;
}
