using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using AgentMail.Review.E2E.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgentMail.Review.E2E.Console;

/// <summary>An admin manages agents' keys and inbox review in a real browser.</summary>
[Collection(TestStreams.Browser)]
public sealed class AdminTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    [Fact]
    public async Task An_admin_creates_a_key_shown_once_that_works_until_revoked()
    {
        var inbox = await browser.CreateInboxAsync();
        var page = await browser.SignInAsync("admin@example.com");
        await page.GotoAsync("/admin");

        await page.GetByLabel("Key name").FillAsync("crm agent");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var secret = (await page.GetByTestId("new-key").Locator("code").TextContentAsync())!.Trim();

        using var agent = new HttpClient { BaseAddress = browser.Server.BaseUrl };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync($"/v0/inboxes/{inbox}/drafts")).StatusCode);

        var row = page.GetByTestId("api-keys").Locator("tr").Filter(new() { HasText = "crm agent" });
        await Expect(row).ToContainTextAsync(secret[..10]);
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(row).ToContainTextAsync("revoked");

        Assert.Equal(HttpStatusCode.Unauthorized, (await agent.GetAsync($"/v0/inboxes/{inbox}/drafts")).StatusCode);
        await page.ReloadAsync();
        await Expect(page.GetByText(secret)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Turning_on_review_holds_agents_sends_from_that_inbox_for_approval()
    {
        var inbox = await browser.CreateInboxAsync();
        var draft = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "needs a look" });
        var page = await browser.SignInAsync("admin@example.com");
        await page.GotoAsync("/admin");

        await page.GetByLabel($"Review required for {inbox}").CheckAsync();
        await Expect(page.GetByText($"{inbox} now needs a supervisor's approval.")).ToBeVisibleAsync();

        // The agent's send is held for a supervisor (202 with the Message-ID it will have), not delivered.
        var send = await browser.Api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}/send", new { });
        Assert.Equal(HttpStatusCode.Accepted, send.StatusCode);
        var held = await browser.Api.GetStringAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}");
        Assert.Contains("\"send_requested_at\"", held);
        var messages = await browser.Api.GetStringAsync($"/v0/inboxes/{inbox}/messages");
        Assert.Contains("\"count\":0", messages);
    }

    [Fact]
    public async Task An_admin_chooses_what_a_reply_does_to_an_inboxs_follow_ups()
    {
        var inbox = await browser.CreateInboxAsync();
        var page = await browser.SignInAsync("admin@example.com");
        await page.GotoAsync("/admin");

        await page.GetByLabel($"When a reply arrives in {inbox}").ClickAsync();
        await page.GetByText("Cancel follow-ups", new() { Exact = true }).ClickAsync();
        await Expect(page.GetByText($"A reply in {inbox} now cancels the follow-ups scheduled in its thread.")).ToBeVisibleAsync();

        await page.ReloadAsync();
        var row = page.Locator("[data-testid=inboxes] tr", new() { HasText = inbox });
        await Expect(row.Locator("input:not([type=checkbox])").First).ToHaveValueAsync("Cancel follow-ups");
    }

    [Fact]
    public async Task Supervisors_and_viewers_cannot_open_administration()
    {
        var page = await browser.SignInAsync("supervisor@example.com");
        await page.GotoAsync("/admin");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Administration" })).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("api-keys")).ToHaveCountAsync(0);
    }
}
