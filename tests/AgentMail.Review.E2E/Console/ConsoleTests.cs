using System.Net;
using System.Text.Json.Nodes;
using AgentMail.Review.E2E.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgentMail.Review.E2E.Console;

/// <summary>A supervisor's day in a real browser against the real server.</summary>
[Collection(TestStreams.Alone)]
public sealed class ConsoleTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    private const string Supervisor = "supervisor@example.com";

    [Fact]
    public async Task A_draft_created_through_the_api_appears_live_in_two_open_consoles()
    {
        var first = await browser.SignInAsync(Supervisor);
        var second = await browser.SignInAsync(Supervisor);
        var inbox = await browser.CreateInboxAsync();

        var subject = $"live {Guid.NewGuid():N}"[..16];
        await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject });

        // Within a second of the API call, without a reload: announced above the rows, which stay where they are
        // (an empty queue takes the draft in at once: nothing can move under the reader there).
        foreach (var page in new[] { first, second })
        {
            var banner = page.GetByTestId("new-drafts-banner");
            await Expect(banner.Or(ConsoleBrowser.Row(page, subject))).ToBeVisibleAsync(new() { Timeout = 1_000 });
            if (await banner.IsVisibleAsync())
            {
                await Expect(banner).ToContainTextAsync("new draft");
                await banner.ClickAsync();
            }

            await Expect(ConsoleBrowser.Row(page, subject)).ToBeVisibleAsync();
            await Expect(ConsoleBrowser.Row(page, subject).GetByTestId("new-marker")).ToBeVisibleAsync();
        }
    }

    [Fact]
    public async Task A_supervisor_edits_a_draft_inline()
    {
        var page = await browser.SignInAsync(Supervisor);
        var inbox = await browser.CreateInboxAsync();
        var subject = $"edit {Guid.NewGuid():N}"[..16];
        var draft = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject, text = "draft body" });
        await ConsoleBrowser.ShowInboxAsync(page, inbox);

        await (await ConsoleBrowser.OpenAsync(page, subject)).GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var editor = page.GetByTestId("draft-editor");
        await editor.GetByLabel("Subject").FillAsync("Edited by a person");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(ConsoleBrowser.Row(page, "Edited by a person")).ToBeVisibleAsync();
        var stored = await ConsoleBrowser.ReadAsync(await browser.GetDraftAsync(inbox, draft["draft_id"]!.GetValue<string>()));
        Assert.Equal("Edited by a person", stored["subject"]!.GetValue<string>());
        Assert.Equal("draft body", stored["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rescheduling_through_the_pickers_stores_the_supervisors_local_time_in_utc()
    {
        var page = await browser.SignInAsync(Supervisor, timeZone: "America/New_York");
        var inbox = await browser.CreateInboxAsync();
        var subject = $"tz {Guid.NewGuid():N}"[..16];
        var draft = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject });
        await ConsoleBrowser.ShowInboxAsync(page, inbox);
        var localDay = TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).Date.AddDays(3);

        await (await ConsoleBrowser.OpenAsync(page, subject)).GetByRole(AriaRole.Button, new() { Name = "Reschedule" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByTestId("time-zone")).ToHaveTextAsync("America/New_York");
        await dialog.GetByLabel("Send date").FillAsync(localDay.ToString("yyyy-MM-dd"));
        await dialog.GetByLabel("Send date").PressAsync("Enter");
        await dialog.GetByLabel("Send time").FillAsync("09:30");
        await dialog.GetByLabel("Send time").PressAsync("Enter");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        var expectedUtc = TimeZoneInfo.ConvertTimeToUtc(localDay.AddHours(9).AddMinutes(30), TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        await Expect(ConsoleBrowser.Row(page, subject).Locator("[data-state=scheduled]")).ToBeVisibleAsync();
        var stored = await ConsoleBrowser.ReadAsync(await browser.GetDraftAsync(inbox, draft["draft_id"]!.GetValue<string>()));
        Assert.Equal(expectedUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), stored["send_at"]!.GetValue<string>());
        Assert.Equal("scheduled", stored["send_status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Approve_and_send_ends_in_a_message_and_the_row_leaves_every_console()
    {
        var page = await browser.SignInAsync(Supervisor);
        var watcher = await browser.SignInAsync(Supervisor);
        var inbox = await browser.CreateInboxAsync();
        var subject = $"send {Guid.NewGuid():N}"[..16];
        var draft = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject, text = "hello" });
        await ConsoleBrowser.ShowInboxAsync(page, inbox);
        await ConsoleBrowser.ShowInboxAsync(watcher, inbox);
        await Expect(ConsoleBrowser.Row(watcher, subject)).ToBeVisibleAsync();

        await (await ConsoleBrowser.OpenAsync(page, subject)).GetByRole(AriaRole.Button, new() { Name = "Approve and send" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync(inbox);
        await Expect(dialog).ToContainTextAsync("bob@example.com");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.GetByText("Sending to bob@example.com")).ToBeVisibleAsync();

        await Expect(ConsoleBrowser.Row(page, subject)).ToHaveCountAsync(0, new() { Timeout = 10_000 });

        await Expect(ConsoleBrowser.Row(watcher, subject)).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        var messages = await ConsoleBrowser.ReadAsync(await browser.Api.GetAsync($"/v0/inboxes/{inbox}/messages"));
        var message = Assert.Single(messages["messages"]!.AsArray());
        Assert.Equal(subject, message!["subject"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetDraftAsync(inbox, draft["draft_id"]!.GetValue<string>())).StatusCode);

        // The sent message opens from /sent, with who approved it.
        await page.GotoAsync("/sent");
        await page.GetByTestId("sent-row").Filter(new() { HasText = subject }).ClickAsync();
        await Expect(page.GetByTestId("message-pane").GetByTestId("pane-subject")).ToHaveTextAsync(subject);
        await Expect(page.GetByTestId("message-pane").GetByTestId("sent-by")).ToContainTextAsync(Supervisor);
        await Expect(page.GetByTestId("message-pane").GetByTestId("text")).ToHaveTextAsync("hello");
    }

    [Fact]
    public async Task Undo_within_the_window_keeps_the_draft_from_leaving()
    {
        var page = await browser.SignInAsync(Supervisor);
        var inbox = await browser.CreateInboxAsync();
        var subject = $"undo {Guid.NewGuid():N}"[..16];
        var draft = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject });
        await ConsoleBrowser.ShowInboxAsync(page, inbox);

        await (await ConsoleBrowser.OpenAsync(page, subject)).GetByRole(AriaRole.Button, new() { Name = "Approve and send" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
        await Task.Delay(TimeSpan.FromSeconds(4));

        var stored = await ConsoleBrowser.ReadAsync(await browser.GetDraftAsync(inbox, draft["draft_id"]!.GetValue<string>()));
        Assert.Null(stored["send_status"]);
        var messages = await ConsoleBrowser.ReadAsync(await browser.Api.GetAsync($"/v0/inboxes/{inbox}/messages"));
        Assert.Empty(messages["messages"]!.AsArray());
    }

    [Fact]
    public async Task Deleting_offers_undo_for_the_window_then_removes_the_draft()
    {
        var page = await browser.SignInAsync(Supervisor);
        var inbox = await browser.CreateInboxAsync();
        var subject = $"delete {Guid.NewGuid():N}"[..16];
        var draft = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject, send_at = DateTime.UtcNow.AddDays(1).ToString("O") });
        await ConsoleBrowser.ShowInboxAsync(page, inbox);

        await (await ConsoleBrowser.OpenAsync(page, subject)).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();

        // Until the undo window ends the delete is only announced: the draft is still there.
        await Expect(ConsoleBrowser.Row(page, subject).GetByTestId("deleting")).ToContainTextAsync("Deleting");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetDraftAsync(inbox, draft["draft_id"]!.GetValue<string>())).StatusCode);
        await Expect(ConsoleBrowser.Row(page, subject)).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetDraftAsync(inbox, draft["draft_id"]!.GetValue<string>())).StatusCode);
    }

    [Fact]
    public async Task Undo_of_a_delete_within_the_window_keeps_the_draft()
    {
        var page = await browser.SignInAsync(Supervisor);
        var inbox = await browser.CreateInboxAsync();
        var subject = $"keep {Guid.NewGuid():N}"[..16];
        var draft = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject });
        await ConsoleBrowser.ShowInboxAsync(page, inbox);

        await ConsoleBrowser.OpenAsync(page, subject);
        await page.Keyboard.PressAsync("#");
        await ConsoleBrowser.Row(page, subject).GetByTestId("deleting").GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
        await Expect(ConsoleBrowser.Row(page, subject).GetByTestId("deleting")).ToHaveCountAsync(0);

        // Past the window (2 s here): nothing was deleted.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetDraftAsync(inbox, draft["draft_id"]!.GetValue<string>())).StatusCode);
        await Expect(ConsoleBrowser.Row(page, subject)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_delete_waiting_out_its_window_is_made_when_the_page_is_left()
    {
        var page = await browser.SignInAsync(Supervisor);
        var inbox = await browser.CreateInboxAsync();
        var subject = $"leave {Guid.NewGuid():N}"[..16];
        var draft = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject });
        await ConsoleBrowser.ShowInboxAsync(page, inbox);

        await ConsoleBrowser.OpenAsync(page, subject);
        await page.Keyboard.PressAsync("Delete");
        await Expect(ConsoleBrowser.Row(page, subject).GetByTestId("deleting")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Messages" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Messages" })).ToBeVisibleAsync();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await browser.GetDraftAsync(inbox, draft["draft_id"]!.GetValue<string>())).StatusCode != HttpStatusCode.NotFound && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetDraftAsync(inbox, draft["draft_id"]!.GetValue<string>())).StatusCode);
    }

    [Fact]
    public async Task A_viewer_sees_drafts_but_no_actions()
    {
        var inbox = await browser.CreateInboxAsync();
        var subject = $"viewer {Guid.NewGuid():N}"[..16];
        await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject });

        var page = await browser.SignInAsync("viewer@example.com");

        var row = ConsoleBrowser.Row(page, subject);
        await Expect(row).ToBeVisibleAsync();
        var pane = await ConsoleBrowser.OpenAsync(page, subject);
        foreach (var action in new[] { "Edit", "Approve and send", "Reschedule", "Delete" })
        {
            await Expect(row.GetByRole(AriaRole.Button, new() { Name = action })).ToHaveCountAsync(0);
            await Expect(pane.GetByRole(AriaRole.Button, new() { Name = action })).ToHaveCountAsync(0);
        }

        await Expect(row.GetByRole(AriaRole.Checkbox)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Script_in_draft_html_never_runs()
    {
        var page = await browser.SignInAsync(Supervisor);
        var inbox = await browser.CreateInboxAsync();
        var subject = $"xss {Guid.NewGuid():N}"[..16];
        await browser.CreateDraftAsync(inbox, new
        {
            to = new[] { "bob@example.com" },
            subject,
            html = "<p>Visible text</p><script>window.top.pwned = 1</script><img src=\"x\" onerror=\"window.top.pwned = 2\"><a href=\"javascript:window.top.pwned=3\">link</a>",
        });
        await ConsoleBrowser.ShowInboxAsync(page, inbox);
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };

        await ConsoleBrowser.OpenAsync(page, subject);
        var frame = page.FrameLocator("iframe[title='Draft HTML']");
        await Expect(frame.GetByText("Visible text")).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(500);

        // Sandboxed without allow-scripts (same origin only, so the console can size the frame to its content).
        var sandbox = await page.Locator("iframe[title='Draft HTML']").GetAttributeAsync("sandbox");
        Assert.NotNull(sandbox);
        Assert.DoesNotContain("allow-scripts", sandbox);
        Assert.Null(await page.EvaluateAsync<int?>("() => window.pwned ?? null"));
        Assert.DoesNotContain("<script", await page.Locator("iframe[title='Draft HTML']").GetAttributeAsync("srcdoc") ?? "");
        Assert.Equal(0, dialogs);
    }
}
