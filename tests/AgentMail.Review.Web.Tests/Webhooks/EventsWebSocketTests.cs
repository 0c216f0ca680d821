using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using AgentMail.Review.Core.ApiKeys;
using AgentMail.Review.Core.Inbound;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace AgentMail.Review.Web.Tests.Webhooks;

/// <summary>The <c>/v0</c> websocket: subscribe, then every event in scope as the webhook JSON; a reconnect catches up.</summary>
public sealed class EventsWebSocketTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    private async Task<WebSocket> ConnectAsync(string key = ReviewApiFactory.DevKey, string? lastEventId = null)
    {
        var client = factory.Server.CreateWebSocketClient();
        var query = $"api_key={Uri.EscapeDataString(key)}" + (lastEventId is null ? "" : $"&last_event_id={Uri.EscapeDataString(lastEventId)}");
        return await client.ConnectAsync(new Uri(factory.Server.BaseAddress, $"v0?{query}".Replace("http", "ws")), CancellationToken.None);
    }

    private static async Task SendAsync(WebSocket socket, object message) =>
        await socket.SendAsync(Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(message)), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<JsonObject> ReceiveAsync(WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[256 * 1024];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            length += result.Count;
        }
        while (!result.EndOfMessage);
        return JsonNode.Parse(buffer.AsSpan(0, length))!.AsObject();
    }

    [Fact]
    public async Task A_subscriber_hears_draft_and_received_mail_events_and_catches_up_after_reconnecting()
    {
        var api = factory.CreateAgentClient();
        var inbox = await api.CreateInboxAsync();
        var other = await api.CreateInboxAsync();
        var socket = await ConnectAsync();
        await SendAsync(socket, new { type = "subscribe", event_types = new[] { "draft.created", "message.received" }, inbox_ids = new[] { inbox } });
        var subscribed = await ReceiveAsync(socket);
        Assert.Equal("subscribed", subscribed["type"]!.GetValue<string>());
        Assert.Equal(["draft.created", "message.received"], subscribed["event_types"].Strings());
        Assert.Equal([inbox], subscribed["inbox_ids"].Strings());

        await api.CreateDraftAsync(other, new { subject = "another inbox" });
        var draft = await api.CreateDraftAsync(inbox, new { subject = "Offer", text = "Hi" });
        var created = await ReceiveAsync(socket);
        Assert.Equal("event", created["type"]!.GetValue<string>());
        Assert.Equal("draft.created", created["event_type"]!.GetValue<string>());
        Assert.Equal(draft["draft_id"]!.GetValue<string>(), created["draft"]!["draft_id"]!.GetValue<string>());

        var mail = new MimeMessage { Subject = "Hello there" };
        mail.From.Add(MailboxAddress.Parse("bob@example.com"));
        mail.To.Add(MailboxAddress.Parse(inbox));
        mail.Body = new TextPart("plain") { Text = "Are you there?" };
        using var raw = new MemoryStream();
        await mail.WriteToAsync(raw);
        var received = await factory.Services.GetRequiredService<InboundMailService>().ReceiveAsync(inbox, mail, raw.ToArray());
        var frame = await ReceiveAsync(socket);
        Assert.Equal("message.received", frame["event_type"]!.GetValue<string>());
        Assert.Equal(received.MessageId, frame["message"]!["message_id"]!.GetValue<string>());
        Assert.Equal(received.ThreadId, frame["thread"]!["thread_id"]!.GetValue<string>());
        Assert.Contains("Are you there?", frame["message"]!["text"]!.GetValue<string>());
        var lastSeen = frame["event_id"]!.GetValue<string>();

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        var missed1 = await api.CreateDraftAsync(inbox, new { subject = "while away 1" });
        var missed2 = await api.CreateDraftAsync(inbox, new { subject = "while away 2" });

        var again = await ConnectAsync(lastEventId: lastSeen);
        await SendAsync(again, new { type = "subscribe", event_types = new[] { "draft.created" }, inbox_ids = new[] { inbox } });
        Assert.Equal("subscribed", (await ReceiveAsync(again))["type"]!.GetValue<string>());
        Assert.Equal(missed1["draft_id"]!.GetValue<string>(), (await ReceiveAsync(again))["draft"]!["draft_id"]!.GetValue<string>());
        Assert.Equal(missed2["draft_id"]!.GetValue<string>(), (await ReceiveAsync(again))["draft"]!["draft_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_a_valid_key_the_upgrade_is_refused_and_a_scoped_key_cannot_subscribe_to_another_inbox()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync("am_not_a_key"));

        var admin = factory.CreateAgentClient();
        var mine = await admin.CreateInboxAsync();
        var theirs = await admin.CreateInboxAsync();
        var scoped = await factory.Services.GetRequiredService<ApiKeyService>().CreateAsync("scoped", [mine], canSend: false);
        var socket = await ConnectAsync(scoped.Secret);
        await SendAsync(socket, new { type = "subscribe", inbox_ids = new[] { theirs } });
        var error = await ReceiveAsync(socket);
        Assert.Equal("error", error["type"]!.GetValue<string>());
        Assert.Contains(theirs, error["message"]!.GetValue<string>());

        // Subscribed to everything it may see, it hears its own inbox and nothing of the other.
        await SendAsync(socket, new { type = "subscribe" });
        Assert.Equal("subscribed", (await ReceiveAsync(socket))["type"]!.GetValue<string>());
        await admin.CreateDraftAsync(theirs, new { subject = "not yours" });
        var own = await admin.CreateDraftAsync(mine, new { subject = "yours" });
        var frame = await ReceiveAsync(socket);
        Assert.Equal(own["draft_id"]!.GetValue<string>(), frame["draft"]!["draft_id"]!.GetValue<string>());
    }
}
