using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using AgentMail.Review.E2E.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgentMail.Review.E2E.Console;

/// <summary>Bulk actions, the keyboard, and the drafts hub as another tool sees it.</summary>
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

        for (var i = 0; i < 3; i++)
        {
            await ConsoleBrowser.Row(page, $"{prefix} {i}").GetByRole(AriaRole.Checkbox).CheckAsync();
        }

        await page.GetByTestId("bulk-bar").GetByRole(AriaRole.Button, new() { Name = "Delete selected" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();

        var summary = page.GetByTestId("bulk-summary");
        await Expect(summary.Locator("tr")).ToHaveCountAsync(3);
        await Expect(summary).ToContainTextAsync("deleted");
        foreach (var id in ids)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await browser.GetDraftAsync(inbox, id)).StatusCode);
        }
    }

    [Fact]
    public async Task The_keyboard_moves_between_drafts_and_opens_the_editor()
    {
        var page = await browser.SignInAsync(Supervisor);
        var inbox = await browser.CreateInboxAsync();
        var subject = $"keys {Guid.NewGuid():N}"[..16];
        await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject, text = "read me with the keyboard" });
        await Expect(ConsoleBrowser.Row(page, subject)).ToBeVisibleAsync();
        await page.GetByLabel("Search").FillAsync(subject);
        await Expect(page.Locator("[data-testid=queue-grid] [data-testid=subject]")).ToHaveCountAsync(1);
        await page.Locator("h1").ClickAsync();

        await page.Keyboard.PressAsync("j");
        await Expect(page.GetByTestId("draft-details")).ToContainTextAsync("read me with the keyboard");
        await page.Keyboard.PressAsync("e");
        await Expect(page.GetByTestId("draft-editor")).ToBeVisibleAsync();
        await page.GetByTestId("draft-editor").GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await page.Keyboard.PressAsync("/");
        await Expect(page.GetByLabel("Search")).ToBeFocusedAsync();
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
