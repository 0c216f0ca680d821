using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using AgentMail.Review.E2E.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgentMail.Review.E2E.Console;

/// <summary>Bulk actions, the keyboard, and the drafts hub as another tool sees it.</summary>
[Collection(TestStreams.Browser)]
public sealed class ConsoleWorkflowTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    private const string Supervisor = "supervisor@example.com";

    [Fact]
    public async Task Selected_drafts_are_deleted_together_with_a_summary_of_each()
    {
        var page = await browser.SignInAsync(Supervisor);
        var inbox = await browser.CreateInboxAsync();
        var prefix = $"bulk {Guid.NewGuid():N}"[..13];
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = $"{prefix} {i}" }))["draft_id"]!.GetValue<string>());
        }

        await ConsoleBrowser.ShowInboxAsync(page, inbox);
        for (var i = 0; i < 3; i++)
        {
            await ConsoleBrowser.Row(page, $"{prefix} {i}").GetByRole(AriaRole.Checkbox).CheckAsync();
        }

        await page.GetByTestId("bulk-bar").GetByRole(AriaRole.Button, new() { Name = "Delete selected" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Dialog);
        for (var i = 0; i < 3; i++)
        {
            // The confirmation names each draft it deletes.
            await Expect(confirm.GetByTestId("bulk-confirm-list")).ToContainTextAsync($"{prefix} {i}");
        }

        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();

        // The summary comes once the undo window has passed and the deletes were made.
        var summary = page.GetByTestId("bulk-summary");
        await Expect(summary.Locator("tr")).ToHaveCountAsync(3);
        await Expect(summary).ToContainTextAsync("deleted");
        foreach (var id in ids)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await browser.GetDraftAsync(inbox, id)).StatusCode);
        }
    }

    [Fact]
    public async Task Bulk_approve_names_the_drafts_and_undo_leaves_every_one_unsent()
    {
        var page = await browser.SignInAsync(Supervisor);
        var inbox = await browser.CreateInboxAsync();
        var prefix = $"bulk-ok {Guid.NewGuid():N}"[..16];
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = $"{prefix} {i}" }))["draft_id"]!.GetValue<string>());
        }

        await ConsoleBrowser.ShowInboxAsync(page, inbox);
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Select all on this page" }).CheckAsync();
        await page.GetByTestId("bulk-bar").GetByRole(AriaRole.Button, new() { Name = "Approve and send selected" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Dialog);
        for (var i = 0; i < 3; i++)
        {
            await Expect(confirm.GetByTestId("bulk-confirm-list")).ToContainTextAsync($"{prefix} {i}");
        }

        await confirm.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        var summary = page.GetByRole(AriaRole.Dialog).Filter(new() { Has = page.GetByTestId("bulk-summary") });
        await Expect(summary.GetByTestId("bulk-summary").Locator("tr")).ToHaveCountAsync(3);
        await summary.GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
        await Expect(page.GetByText("none of the 3 drafts left")).ToBeVisibleAsync();

        // Past the undo window (2 s here): nothing left, every draft waits for review again.
        await Task.Delay(TimeSpan.FromSeconds(4));
        foreach (var id in ids)
        {
            var stored = await ConsoleBrowser.ReadAsync(await browser.GetDraftAsync(inbox, id));
            Assert.Null(stored["send_status"]);
        }

        var messages = await ConsoleBrowser.ReadAsync(await browser.Api.GetAsync($"/v0/inboxes/{inbox}/messages"));
        Assert.Empty(messages["messages"]!.AsArray());
    }

    [Fact]
    public async Task The_keyboard_moves_between_drafts_and_opens_the_editor()
    {
        var page = await browser.SignInAsync(Supervisor);
        var inbox = await browser.CreateInboxAsync();
        var subject = $"keys {Guid.NewGuid():N}"[..16];
        await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject, text = "read me with the keyboard" });
        await ConsoleBrowser.ShowInboxAsync(page, inbox);
        await Expect(ConsoleBrowser.Row(page, subject)).ToBeVisibleAsync();
        await page.GetByLabel("Search").FillAsync(subject);
        await Expect(page.Locator("[data-testid=queue-grid] [data-testid=subject]")).ToHaveCountAsync(1);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("q=keys"));
        await page.Locator("h1").ClickAsync();

        await page.Keyboard.PressAsync("j");
        await Expect(page.GetByTestId("draft-details")).ToContainTextAsync("read me with the keyboard");
        await Expect(ConsoleBrowser.Row(page, subject)).ToHaveAttributeAsync("aria-current", "true");

        // e: the editor, with the focus in it; Escape leaves it.
        await page.Keyboard.PressAsync("e");
        await Expect(page.GetByTestId("draft-editor")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("draft-editor").GetByLabel("Text")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByTestId("draft-editor")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("draft-details")).ToBeVisibleAsync();

        // a: the confirmation opens with Send focused; Escape backs out without sending.
        await page.Keyboard.PressAsync("a");
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Send" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToHaveCountAsync(0);

        // r: the reschedule dialog.
        await page.Keyboard.PressAsync("r");
        await Expect(page.GetByRole(AriaRole.Dialog).GetByLabel("Send date")).ToBeVisibleAsync();
        // The dialog hears Escape once it has the focus, as a person sees it open and then presses the key.
        await Expect(page.Locator("[role=dialog]:focus-within")).ToHaveCountAsync(1);
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);

        // x selects the focused draft.
        await page.Keyboard.PressAsync("x");
        await Expect(ConsoleBrowser.Row(page, subject).GetByRole(AriaRole.Checkbox)).ToBeCheckedAsync();

        // ? lists the keys.
        await page.Keyboard.PressAsync("?");
        await Expect(page.GetByTestId("shortcut-help")).ToContainTextAsync("approve and send");
        await Expect(page.GetByTestId("help-close")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByTestId("shortcut-help")).ToHaveCountAsync(0);

        await page.Keyboard.PressAsync("/");
        await Expect(page.GetByLabel("Search")).ToBeFocusedAsync();
        // Typing "j" into the search box is text, not a shortcut.
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.TypeAsync("j");
        await Expect(page.GetByLabel("Search")).ToHaveValueAsync(subject + "j");
    }

    [Fact]
    public async Task Another_tool_signed_in_as_a_person_hears_every_change_on_the_drafts_hub()
    {
        var page = await browser.SignInAsync("viewer@example.com");
        var cookies = await page.Context.CookiesAsync();
        var received = new ConcurrentQueue<JsonElement>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(browser.Server.BaseUrl, "/hubs/drafts"), options =>
            {
                options.Cookies = new CookieContainer();
                foreach (var cookie in cookies)
                {
                    options.Cookies.Add(new System.Net.Cookie(cookie.Name, cookie.Value, cookie.Path, browser.Server.BaseUrl.Host));
                }
            })
            .Build();
        hub.On<JsonElement>("draftChanged", change => received.Enqueue(change));
        await hub.StartAsync();

        var inbox = await browser.CreateInboxAsync();
        var draft = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "heard" });
        var id = draft["draft_id"]!.GetValue<string>();
        await browser.Api.DeleteAsync($"/v0/inboxes/{inbox}/drafts/{id}");

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (received.Count(c => c.GetProperty("draft_id").GetString() == id) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var mine = received.Where(c => c.GetProperty("draft_id").GetString() == id).Select(c => c.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["created", "deleted"], mine);
    }

    [Fact]
    public async Task Anonymous_tools_cannot_subscribe_to_the_drafts_hub()
    {
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(browser.Server.BaseUrl, "/hubs/drafts")).Build();
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }
}
