namespace AgentMail.Review.Web.Console;

/// <summary>The reschedule dialog's quick choices, named the browser's way ("Tomorrow 9:00 AM" or "Tomorrow 09:00").</summary>
public static class SendTimePresets
{
    public sealed record Preset(string Label, DateTime Local);

    /// <summary>At least an hour from now, on the next half hour: 10:07 becomes 11:30.</summary>
    public static DateTime RoundDefault(DateTime localNow)
    {
        var soonest = localNow.AddHours(1);
        var minutes = soonest.Minute == 0 && soonest.Second == 0 ? 0 : soonest.Minute <= 30 ? 30 : 60;
        return soonest.Date.AddHours(soonest.Hour).AddMinutes(minutes);
    }

    public static IReadOnlyList<Preset> For(BrowserClock clock)
    {
        var now = clock.LocalNow;
        var inOneHour = RoundDefault(now);
        var tomorrow = now.Date.AddDays(1).AddHours(9);
        var days = ((int)DayOfWeek.Monday - (int)now.DayOfWeek + 7) % 7;
        var monday = now.Date.AddDays(days == 0 ? 7 : days).AddHours(9);
        var presets = new List<Preset> { new($"Today {clock.FormatTime(inOneHour)}", inOneHour) };
        if (inOneHour.Date != now.Date)
        {
            presets[0] = new($"Tomorrow {clock.FormatTime(inOneHour)}", inOneHour);
        }

        presets.Add(new($"Tomorrow {clock.FormatTime(tomorrow)}", tomorrow));
        if (monday != tomorrow)
        {
            presets.Add(new($"Monday {clock.FormatTime(monday)}", monday));
        }

        return presets.DistinctBy(p => p.Local).ToList();
    }
}
