using System.Globalization;
using MudBlazor;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// Reads a date or a time as a supervisor types it in their browser's locale: "12/02/2026" is 2 December in en-US and
/// 12 February in en-GB; "2:30 PM", "2:30pm", "14:30" and "1430" are all half past two in the afternoon.
/// </summary>
public static class LocalTimeInput
{
    public static bool TryParseDate(string? text, CultureInfo culture, out DateTime date)
    {
        date = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        var shortPattern = culture.DateTimeFormat.ShortDatePattern;
        string[] patterns = [shortPattern, shortPattern.Replace("yyyy", "yy"), "yyyy-MM-dd", "yyyy-M-d"];
        if (DateTime.TryParseExact(trimmed, patterns, culture, DateTimeStyles.AllowWhiteSpaces, out date))
        {
            date = date.Date;
            return true;
        }

        // Other separators ("12.02.2026", "12-02-2026") in the locale's order of day, month and year.
        var parts = trimmed.Split(['/', '.', '-', ' '], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !parts.All(p => p.All(char.IsDigit)))
        {
            return false;
        }

        var order = new[] { ('d', shortPattern.IndexOf('d')), ('M', shortPattern.IndexOf('M')), ('y', shortPattern.IndexOf('y')) }
            .OrderBy(p => p.Item2).Select(p => p.Item1).ToArray();
        var values = order.Zip(parts.Select(int.Parse)).ToDictionary(p => p.First, p => p.Second);
        var year = values['y'] < 100 ? 2000 + values['y'] : values['y'];
        if (values['M'] is < 1 or > 12 || values['d'] < 1 || year > 9999 || values['d'] > DateTime.DaysInMonth(year, values['M']))
        {
            return false;
        }

        date = new DateTime(year, values['M'], values['d']);
        return true;
    }

    public static bool TryParseTime(string? text, CultureInfo culture, out TimeSpan time)
    {
        time = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var compact = text.Trim().Replace(" ", "").Replace(".", ":").ToUpperInvariant()
            .Replace("A:M:", "AM").Replace("P:M:", "PM").Replace("A:M", "AM").Replace("P:M", "PM");
        var am = culture.DateTimeFormat.AMDesignator.Replace(" ", "").Replace(".", "").ToUpperInvariant();
        var pm = culture.DateTimeFormat.PMDesignator.Replace(" ", "").Replace(".", "").ToUpperInvariant();
        bool? afternoon = null;
        foreach (var (marker, isPm) in new[] { ("AM", false), ("PM", true), (am, false), (pm, true), ("A", false), ("P", true) })
        {
            if (marker.Length > 0 && compact.EndsWith(marker, StringComparison.Ordinal))
            {
                afternoon = isPm;
                compact = compact[..^marker.Length];
                break;
            }
        }

        int hours, minutes;
        var colon = compact.IndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(compact[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out hours)
                || !int.TryParse(compact[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out minutes)
                || compact.Length - colon - 1 != 2)
            {
                return false;
            }
        }
        else if (compact.Length is 1 or 2 && int.TryParse(compact, NumberStyles.None, CultureInfo.InvariantCulture, out hours))
        {
            minutes = 0;
        }
        else if (compact.Length is 3 or 4 && int.TryParse(compact, NumberStyles.None, CultureInfo.InvariantCulture, out var hhmm))
        {
            hours = hhmm / 100;
            minutes = hhmm % 100;
        }
        else
        {
            return false;
        }

        if (afternoon is { } pmTime)
        {
            if (hours is < 1 or > 12)
            {
                return false;
            }

            hours = hours % 12 + (pmTime ? 12 : 0);
        }

        if (hours is < 0 or > 23 || minutes is < 0 or > 59)
        {
            return false;
        }

        time = new TimeSpan(hours, minutes, 0);
        return true;
    }

    /// <summary>The date picker's text, in and out, in the browser's locale.</summary>
    public sealed class DateConverter(BrowserClock clock) : IReversibleConverter<DateTime?, string?>
    {
        public string? Convert(DateTime? input) => input is { } date ? clock.FormatDate(date) : null;

        public DateTime? ConvertBack(string? input) =>
            string.IsNullOrWhiteSpace(input) ? null
            : TryParseDate(input, clock.Culture, out var date) ? date
            : throw new FormatException($"Not a date: write it as {clock.FormatDate(clock.LocalNow.Date)}");
    }

    /// <summary>The time picker's text, in and out, on the browser's clock.</summary>
    public sealed class TimeConverter(BrowserClock clock) : IReversibleConverter<TimeSpan?, string?>
    {
        public string? Convert(TimeSpan? input) => input is { } time ? clock.FormatTime(DateTime.Today + time) : null;

        public TimeSpan? ConvertBack(string? input) =>
            string.IsNullOrWhiteSpace(input) ? null
            : TryParseTime(input, clock.Culture, out var time) ? time
            : throw new FormatException($"Not a time: write it as {clock.FormatTime(DateTime.Today.AddHours(14).AddMinutes(30))}");
    }
}
