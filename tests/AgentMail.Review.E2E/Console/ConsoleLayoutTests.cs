using System.Globalization;
using System.Net.Http.Json;
using AgentMail.Review.E2E.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgentMail.Review.E2E.Console;

/// <summary>
/// The queue on a laptop, a larger laptop and a phone, in Berlin and New York: what a supervisor needs is on screen
/// without scrolling sideways, and every time is the supervisor's own.
/// </summary>
[Collection(TestStreams.Browser)]
public sealed class ConsoleLayoutTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    private const string Supervisor = "supervisor@example.com";

    public static TheoryData<int, int, string> Screens => new()
    {
        { 1280, 800, "Europe/Berlin" },
        { 1280, 800, "America/New_York" },
        { 1440, 900, "Europe/Berlin" },
        { 1440, 900, "America/New_York" },
        { 390, 844, "Europe/Berlin" },
        { 390, 844, "America/New_York" },
    };

    private static bool Phone(int width) => width < 900;

    /// <summary>An inbox of its own with <paramref name="count"/> drafts, newest last; the subjects in creation order.</summary>
    private async Task<(string Inbox, List<string> Subjects)> SeedAsync(int count, string tag)
    {
        var inbox = await browser.CreateInboxAsync();
        var subjects = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var subject = $"{tag} {i:00} {Guid.NewGuid():N}"[..(tag.Length + 10)];
            subjects.Add(subject);
            await browser.CreateDraftAsync(inbox, new
            {
                to = new[] { $"customer{i}@example.com", "team@example.com" },
                cc = new[] { "manager@example.com" },
                subject,
                text = $"Hello, this is draft number {i} with a preview long enough to be cut off in a one-line list row.",
                send_at = DateTime.UtcNow.Date.AddDays(2).AddHours(14).AddMinutes(30).ToString("O"),
            });
        }

        return (inbox, subjects);
    }

    private async Task<IPage> QueueAsync(int width, int height, string zone, string inbox, string locale = "en-GB")
    {
        var page = await browser.SignInAsync(Supervisor, zone, locale, width, height);
        await page.GotoAsync($"/?inbox={Uri.EscapeDataString(inbox)}");
        await Expect(page.GetByTestId("queue-row").First).ToBeVisibleAsync();
        await ConsoleBrowser.KeysReadyAsync(page);
        return page;
    }

    private static async Task AssertInViewAsync(IPage page, ILocator element, string what)
    {
        await Expect(element).ToBeVisibleAsync();
        var box = await element.BoundingBoxAsync();
        var viewport = page.ViewportSize!;
        Assert.True(box is not null, $"{what} has no box");
        Assert.True(box!.X >= 0 && box.Y >= 0 && box.X + box.Width <= viewport.Width + 0.5 && box.Y + box.Height <= viewport.Height + 0.5,
            $"{what} at ({box.X}, {box.Y}, {box.Width}×{box.Height}) is not inside the {viewport.Width}×{viewport.Height} viewport");
    }

    private static string LocalTime(DateTime utc, string zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(utc, TimeZoneInfo.FindSystemTimeZoneById(zone)).ToString("HH:mm", CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(Screens))]
    public async Task The_focused_drafts_approve_and_send_is_on_screen_without_scrolling(int width, int height, string zone)
    {
        var (inbox, subjects) = await SeedAsync(12, "focus");
        var page = await QueueAsync(width, height, zone, inbox);

        await page.Keyboard.PressAsync("j");
        await Expect(page.Locator("[data-testid=queue-row][aria-current=true]")).ToContainTextAsync(subjects[^1]);
        if (Phone(width))
        {
            await page.Keyboard.PressAsync("Enter");
        }

        var pane = ConsoleBrowser.Pane(page);
        await Expect(pane.GetByTestId("pane-subject")).ToHaveTextAsync(subjects[^1]);
        foreach (var action in new[] { "Edit", "Approve and send", "Reschedule", "Delete" })
        {
            await AssertInViewAsync(page, pane.GetByRole(AriaRole.Button, new() { Name = action, Exact = true }), action);
        }

        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.scrollX"));
    }

    [Theory]
    [MemberData(nameof(Screens))]
    public async Task Opening_a_draft_shows_its_subject_cc_and_send_time_on_screen(int width, int height, string zone)
    {
        var (inbox, subjects) = await SeedAsync(3, "open");
        var page = await QueueAsync(width, height, zone, inbox);

        var pane = await ConsoleBrowser.OpenAsync(page, subjects[1]);

        await AssertInViewAsync(page, pane.GetByTestId("pane-subject"), "the subject");
        await AssertInViewAsync(page, pane.GetByTestId("cc"), "Cc");
        await Expect(pane.GetByTestId("cc")).ToHaveTextAsync("manager@example.com");
        await AssertInViewAsync(page, pane.GetByTestId("send-time"), "the send time");
        var sendAt = DateTime.UtcNow.Date.AddDays(2).AddHours(14).AddMinutes(30);
        await Expect(pane.GetByTestId("send-time")).ToContainTextAsync(LocalTime(sendAt, zone));
        await Expect(pane.GetByTestId("send-time")).ToContainTextAsync(zone == "Europe/Berlin" ? "CET" : "UTC-05:00");
    }

    [Theory]
    [MemberData(nameof(Screens))]
    public async Task Send_times_are_local_from_the_first_render(int width, int height, string zone)
    {
        var inbox = await browser.CreateInboxAsync();
        var sendAt = DateTime.UtcNow.Date.AddDays(1).AddHours(14).AddMinutes(30);
        await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "first render", send_at = sendAt.ToString("O") });
        var page = await browser.SignInAsync(Supervisor, zone, "en-GB", width, height);
        var seen = new List<string>();
        // Every version of the row's send time the page ever shows, from its first render on.
        await page.ExposeFunctionAsync("reportSendTime", (string text) => { lock (seen) { seen.Add(text); } });
        await page.AddInitScriptAsync("""
            new MutationObserver(() => document.querySelectorAll('[data-testid=queue-row] [data-testid=send-time]').forEach(e => window.reportSendTime(e.textContent.trim())))
              .observe(document, { subtree: true, childList: true, characterData: true });
            """);

        await page.GotoAsync($"/?inbox={Uri.EscapeDataString(inbox)}");
        var row = page.GetByTestId("queue-row").Filter(new() { HasText = "first render" });
        await Expect(row.GetByTestId("send-time")).ToContainTextAsync(LocalTime(sendAt, zone));

        lock (seen)
        {
            Assert.NotEmpty(seen);
            Assert.All(seen, text => Assert.Contains(LocalTime(sendAt, zone), text));
            Assert.All(seen, text => Assert.DoesNotContain("14:30", text));
        }
    }

    [Theory]
    [MemberData(nameof(Screens))]
    public async Task J_fifteen_times_keeps_the_focused_row_on_screen(int width, int height, string zone)
    {
        var (inbox, subjects) = await SeedAsync(30, "walk");
        var page = await QueueAsync(width, height, zone, inbox);
        var newestFirst = Enumerable.Reverse(subjects).ToList();

        for (var i = 0; i < 15; i++)
        {
            await page.Keyboard.PressAsync("j");
            var focused = page.Locator("[data-testid=queue-row][aria-current=true]");
            await Expect(focused).ToContainTextAsync(newestFirst[i]);
            try
            {
                await Expect(focused).ToBeInViewportAsync(new() { Ratio = 1 });
            }
            catch (PlaywrightException)
            {
                var where = await page.EvaluateAsync<string>("() => { const r = document.querySelector('[data-testid=queue-row][aria-current=true]').getBoundingClientRect(); return `row ${r.top}..${r.bottom}, scrollY ${window.scrollY}, inner ${innerHeight}, scroller ${document.scrollingElement.scrollHeight}`; }");
                throw new Xunit.Sdk.XunitException($"after {i + 1} × j the focused row is not on screen: {where}");
            }
        }

        if (!Phone(width))
        {
            await Expect(ConsoleBrowser.Pane(page).GetByTestId("pane-subject")).ToHaveTextAsync(newestFirst[14]);
            await AssertInViewAsync(page, ConsoleBrowser.Pane(page).GetByRole(AriaRole.Button, new() { Name = "Approve and send" }), "Approve and send");
        }
    }

    public static TheoryData<string, string, string, string> TypedSchedules => new()
    {
        { "en-US", "America/New_York", "MM/dd/yyyy", "2:30 PM" },
        { "en-GB", "Europe/Berlin", "dd/MM/yyyy", "14:30" },
        { "en-US", "Europe/Berlin", "MM/dd/yyyy", "2:30 PM" },
        { "en-GB", "America/New_York", "dd/MM/yyyy", "14:30" },
    };

    [Theory]
    [MemberData(nameof(TypedSchedules))]
    public async Task Typed_locale_dates_and_times_schedule_the_right_utc_instant(string locale, string zone, string dateFormat, string typedTime)
    {
        var inbox = await browser.CreateInboxAsync();
        var draft = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "typed" });
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        var day = TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, tz).Date.AddDays(3);
        while (day.Day == day.Month || day.Day > 12)
        {
            // A day that reads as another valid date with day and month swapped: a wrong order cannot pass.
            day = day.AddDays(1);
        }

        var page = await QueueAsync(1280, 800, zone, inbox, locale);
        await (await ConsoleBrowser.OpenAsync(page, "typed")).GetByRole(AriaRole.Button, new() { Name = "Reschedule" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Send date").FillAsync(day.ToString(dateFormat, CultureInfo.InvariantCulture));
        await dialog.GetByLabel("Send date").PressAsync("Enter");
        await dialog.GetByLabel("Send time").FillAsync(typedTime);
        await dialog.GetByLabel("Send time").PressAsync("Enter");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);

        var expected = TimeZoneInfo.ConvertTimeToUtc(day.AddHours(14).AddMinutes(30), tz);
        await Expect(ConsoleBrowser.Pane(page).GetByTestId("send-time")).ToContainTextAsync(locale == "en-US" ? "2:30 PM" : "14:30");
        var stored = await ConsoleBrowser.ReadAsync(await browser.GetDraftAsync(inbox, draft["draft_id"]!.GetValue<string>()));
        Assert.Equal(expected.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), stored["send_at"]!.GetValue<string>());
    }

    private const string Overflowing = """
        () => {
          const width = document.documentElement.clientWidth;
          const wide = [...document.querySelectorAll('body *')].filter(e => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && (r.right > width + 0.5 || r.left < -0.5) && getComputedStyle(e).position !== 'fixed' || (getComputedStyle(e).position === 'fixed' && r.width > 0 && r.right > width + 0.5 && e.closest('.mud-appbar'));
          });
          return [document.documentElement.scrollWidth > width ? `page ${document.documentElement.scrollWidth} > ${width}` : null,
                  ...wide.slice(0, 10).map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} right=${Math.round(e.getBoundingClientRect().right)}`)].filter(x => x);
        }
        """;

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/New_York")]
    public async Task Nothing_overflows_the_phones_width(string zone)
    {
        var (inbox, subjects) = await SeedAsync(5, "phone");
        var page = await QueueAsync(390, 844, zone, inbox);

        Assert.Empty(await page.EvaluateAsync<string[]>(Overflowing));

        await ConsoleBrowser.OpenAsync(page, subjects[0]);
        await Expect(ConsoleBrowser.Pane(page).GetByRole(AriaRole.Button, new() { Name = "Back to the list" })).ToBeVisibleAsync();
        Assert.Empty(await page.EvaluateAsync<string[]>(Overflowing));

        await ConsoleBrowser.Pane(page).GetByRole(AriaRole.Button, new() { Name = "Back to the list" }).ClickAsync();
        await Expect(ConsoleBrowser.Row(page, subjects[0])).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_filters_and_the_open_draft_are_in_the_address()
    {
        var (inbox, subjects) = await SeedAsync(3, "link");
        var page = await QueueAsync(1280, 800, "Europe/Berlin", inbox);
        await ConsoleBrowser.OpenAsync(page, subjects[1]);
        var link = page.Url;
        Assert.Contains("inbox=", link);
        Assert.Contains("draft=", link);

        var again = await browser.SignInAsync(Supervisor);
        await again.GotoAsync(link);

        await Expect(ConsoleBrowser.Pane(again).GetByTestId("pane-subject")).ToHaveTextAsync(subjects[1]);
        await Expect(again.GetByTestId("queue-row")).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task Remote_images_wait_for_show_images_and_the_frame_fits_its_content()
    {
        var inbox = await browser.CreateInboxAsync();
        var html = "<p>Top</p>" + string.Concat(Enumerable.Range(0, 40).Select(i => $"<p>line {i}</p>")) + "<p>Bottom line</p><img src=\"https://images.example.com/pixel.png\" alt=\"logo\">";
        await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "images", html });
        var page = await QueueAsync(1280, 800, "Europe/Berlin", inbox);

        var pane = await ConsoleBrowser.OpenAsync(page, "images");

        var frame = page.Locator("iframe[title='Draft HTML']");
        await Expect(page.FrameLocator("iframe[title='Draft HTML']").GetByText("Bottom line")).ToBeVisibleAsync();
        await Expect(pane.GetByTestId("images-blocked")).ToBeVisibleAsync();
        Assert.DoesNotContain("images.example.com", await frame.GetAttributeAsync("srcdoc") ?? "");
        // Natural height: the frame is as tall as its content, so nothing in it scrolls.
        Assert.True(await frame.EvaluateAsync<bool>("f => f.contentDocument.documentElement.scrollHeight <= f.clientHeight + 2"));

        await pane.GetByRole(AriaRole.Button, new() { Name = "Show images" }).ClickAsync();
        await Expect(pane.GetByTestId("images-blocked")).ToHaveCountAsync(0);
        await Expect(frame).ToHaveAttributeAsync("srcdoc", new System.Text.RegularExpressions.Regex("images\\.example\\.com"));
    }
}
