using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using AgentMail.Review.E2E.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgentMail.Review.E2E.Instances;

/// <summary>Two instances on one PostgreSQL and one Redis behind nginx (<see cref="TwoInstances"/>), shared by these tests.</summary>
public sealed class TwoInstancesFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public TwoInstances Instances { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Instances = await TwoInstances.StartAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await ConsoleBrowser.LaunchChromiumAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Instances is not null)
        {
            await Instances.DisposeAsync();
        }
    }
}

[Collection(TestStreams.Browser)]
public sealed class SeveralInstancesE2ETests(TwoInstancesFixture fixture) : IClassFixture<TwoInstancesFixture>
{
    private const string Supervisor = "supervisor@example.com";

    private TwoInstances Instances => fixture.Instances;

    [Fact]
    public async Task A_draft_created_through_one_instance_shows_live_on_a_console_and_a_websocket_on_the_other_and_its_approval_there_is_sent_once()
    {
        // The console signs in through nginx and stays on the instance nginx picks for this browser ("B"); the
        // agent writes to the other one ("A").
        var b = await Instances.BehindProxyAsync();
        var a = Instances.Other(b);
        using var agentOnA = TwoInstances.Api(a);
        var inbox = await agentOnA.CreateInboxAsync("multi");
        var page = await ConsoleBrowser.SignInAsync(fixture.Browser, Instances.Nginx.BaseUrl, Supervisor);
        await ConsoleBrowser.ShowInboxAsync(page, inbox);

        await using var socketOnB = await EventsSocket.SubscribeAsync(b.BaseUrl, b.ApiKey, new { type = "subscribe", inbox_ids = new[] { inbox } });
        await using var socketThroughProxy = await EventsSocket.SubscribeAsync(Instances.Nginx.BaseUrl, b.ApiKey, new { type = "subscribe", inbox_ids = new[] { inbox } });
        var hubChanges = new ConcurrentQueue<JsonObject>();
        await using var hub = await ConnectHubAsync(page, hubChanges);

        var subject = $"multi {Guid.NewGuid():N}"[..18];
        var draft = await agentOnA.PostJsonAsync($"/v0/inboxes/{inbox}/drafts", new { to = new[] { "bob@example.com" }, subject, text = "written through A" });
        var draftId = draft["draft_id"]!.GetValue<string>();

        await Expect(ConsoleBrowser.Row(page, subject)).ToBeVisibleAsync();
        foreach (var socket in new[] { socketOnB, socketThroughProxy })
        {
            var (created, _) = await socket.ReceiveUntilAsync(e => e["event_type"]?.GetValue<string>() == "draft.created", TimeSpan.FromSeconds(15));
            Assert.Contains(draftId, created.ToJsonString());
        }

        // The supervisor on B approves; whichever instance's worker runs the send, it leaves once.
        var pane = await ConsoleBrowser.OpenAsync(page, subject);
        await pane.GetByRole(AriaRole.Button, new() { Name = "Approve and send" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        // Generous waits, not a measure of lateness: two servers, PostgreSQL and Chromium share two cores here.
        await Expect(ConsoleBrowser.Row(page, subject)).ToHaveCountAsync(0, new() { Timeout = 60_000 });
        var (sent, _) = await socketOnB.ReceiveUntilAsync(e => e["event_type"]?.GetValue<string>() == "message.sent", TimeSpan.FromSeconds(60));
        var messageId = sent["send"]!["message_id"]!.GetValue<string>();
        // A second delivery, if there were one, would reach the SMTP server in the moments after the first.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(1, Instances.Sink.CompleteMessagesWith(messageId));
        var messages = await agentOnA.GetJsonAsync($"/v0/inboxes/{inbox}/messages");
        Assert.Equal(1, messages["count"]!.GetValue<int>());

        // The hub's clients (here one on B, through nginx) hear each change once: A's commits reach B's clients
        // through the Redis backplane, and B does not relay them a second time.
        var ofDraft = hubChanges.Where(c => c["draft_id"]?.GetValue<string>() == draftId).ToList();
        Assert.Contains(ofDraft, c => c["kind"]!.GetValue<string>() == "created");
        Assert.Contains(ofDraft, c => c["kind"]!.GetValue<string>() == "sent");
        var repeated = ofDraft.GroupBy(c => (c["kind"]!.GetValue<string>(), c["version"]!.GetValue<long>())).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, $"changes heard twice: {string.Join(", ", repeated)}\n{string.Join("\n", ofDraft.Select(c => c.ToJsonString()))}");
    }

    [Fact]
    public async Task A_key_revoked_through_one_instance_is_refused_by_the_other_on_its_next_request()
    {
        using var agentOnA = TwoInstances.Api(Instances.A);
        var inbox = await agentOnA.CreateInboxAsync("revoke");
        // The admin works on A directly.
        var page = await ConsoleBrowser.SignInAsync(fixture.Browser, Instances.A.BaseUrl, "admin@example.com");
        await page.GotoAsync("/admin");
        await page.GetByLabel("Key name").FillAsync("agent on B");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var secret = (await page.GetByTestId("new-key").Locator("code").TextContentAsync())!.Trim();

        using var agentOnB = TwoInstances.Api(Instances.B, secret);
        // B has now seen the key work (and would have it cached, if it cached keys).
        Assert.Equal(HttpStatusCode.OK, (await agentOnB.GetAsync($"/v0/inboxes/{inbox}/drafts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await agentOnB.GetAsync($"/v0/inboxes/{inbox}/drafts")).StatusCode);

        var row = page.GetByTestId("api-keys").Locator("tr").Filter(new() { HasText = "agent on B" });
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(row).ToContainTextAsync("revoked");

        Assert.Equal(HttpStatusCode.Unauthorized, (await agentOnB.GetAsync($"/v0/inboxes/{inbox}/drafts")).StatusCode);
        var refused = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() =>
            EventsSocket.SubscribeAsync(Instances.B.BaseUrl, secret, new { type = "subscribe" }));
        Assert.Contains("401", refused.Message);
    }

    /// <summary>The live drafts hub, through nginx, with the page's sign-in cookies; every <c>draftChanged</c> is kept.</summary>
    private async Task<HubConnection> ConnectHubAsync(IPage page, ConcurrentQueue<JsonObject> changes)
    {
        var cookies = await page.Context.CookiesAsync();
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(Instances.Nginx.BaseUrl, "/hubs/drafts"), options =>
            {
                foreach (var cookie in cookies)
                {
                    options.Cookies.Add(new System.Net.Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain));
                }
            })
            .Build();
        hub.On<JsonObject>("draftChanged", change => changes.Enqueue(change));
        await hub.StartAsync();
        return hub;
    }
}
