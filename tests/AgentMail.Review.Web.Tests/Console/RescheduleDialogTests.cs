using AgentMail.Review.Web.Components.Drafts;
using AgentMail.Review.Web.Console;
using AgentMail.Review.Web.Tests.Support;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AgentMail.Review.Web.Tests.Console;

public sealed class RescheduleDialogTests : ConsoleTestContext
{
    private async Task<(IRenderedComponent<MudDialogProvider> Provider, IDialogReference Dialog)> OpenAsync(DateTime? current = null)
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        IDialogReference? reference = null;
        await provider.InvokeAsync(async () => reference = await dialogs.ShowAsync<RescheduleDialog>("Reschedule", new DialogParameters<RescheduleDialog> { { d => d.Current, current } }));
        return (provider, reference!);
    }

    private static async Task<DateTime?> SaveAsync(IRenderedComponent<MudDialogProvider> provider, IDialogReference dialog)
    {
        provider.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();
        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(result!.Canceled);
        return (DateTime?)result.Data;
    }

    [Fact]
    public async Task A_us_date_and_a_12_hour_time_typed_in_new_york_are_that_local_instant()
    {
        await BrowserAsync("America/New_York", "en-US", hour12: true, "EST", "EDT");
        var (provider, dialog) = await OpenAsync();

        provider.Find("#send-date").Change("12/02/2026");
        provider.Find("#send-time").Change("2:30 PM");

        // 2 December 2026, 14:30 in New York (EST, UTC-5).
        Assert.Equal(new DateTime(2026, 12, 2, 19, 30, 0, DateTimeKind.Utc), await SaveAsync(provider, dialog));
    }

    [Fact]
    public async Task A_british_date_and_a_24_hour_time_typed_in_berlin_are_that_local_instant()
    {
        await BrowserAsync("Europe/Berlin", "en-GB", hour12: false, "CET", "CEST");
        var (provider, dialog) = await OpenAsync();

        provider.Find("#send-date").Change("02/12/2026");
        provider.Find("#send-time").Change("14:30");

        // 2 December 2026, 14:30 in Berlin (CET, UTC+1).
        Assert.Equal(new DateTime(2026, 12, 2, 13, 30, 0, DateTimeKind.Utc), await SaveAsync(provider, dialog));
    }

    [Fact]
    public async Task Presets_are_written_the_locales_way_and_the_default_is_a_round_time()
    {
        await BrowserAsync("America/New_York", "en-US", hour12: true, "EST", "EDT");
        var (provider, _) = await OpenAsync();

        // The test clock is 24 Nov 2026 09:00 UTC = 04:00 in New York: an hour on, rounded to the half hour.
        Assert.Contains(provider.FindAll("button"), b => b.TextContent.Trim() == "Tomorrow 9:00 AM");
        Assert.Equal("11/24/2026", provider.Find("#send-date").GetAttribute("value"));
        Assert.Equal("5:00 AM", provider.Find("#send-time").GetAttribute("value"));
        Assert.Contains("America/New_York", provider.Find("[data-testid=time-zone]").TextContent);
    }

    [Fact]
    public async Task A_24_hour_locale_offers_presets_on_the_24_hour_clock()
    {
        await BrowserAsync("Europe/Berlin", "en-GB", hour12: false, "CET", "CEST");
        var (provider, _) = await OpenAsync();

        Assert.Contains(provider.FindAll("button"), b => b.TextContent.Trim() == "Tomorrow 09:00");
        Assert.Equal("24/11/2026", provider.Find("#send-date").GetAttribute("value"));
        Assert.Equal("11:00", provider.Find("#send-time").GetAttribute("value"));
    }

    [Fact]
    public async Task Text_that_is_no_date_is_refused_with_the_locales_example()
    {
        await BrowserAsync("America/New_York", "en-US", hour12: true, "EST", "EDT");
        var (provider, _) = await OpenAsync();

        provider.Find("#send-date").Change("31/31/2026");

        provider.WaitForAssertion(() => Assert.Contains("11/24/2026", provider.Markup[provider.Markup.IndexOf("Not a date", StringComparison.Ordinal)..]));
    }
}
