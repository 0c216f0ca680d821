using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentMail.Review.E2E.Support;

/// <summary>AgentMail's events websocket (<c>/v0</c>) as an agent opens it: the key in the query, one subscribe message.</summary>
public sealed class EventsSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    private EventsSocket()
    {
    }

    /// <summary>Connects to <paramref name="baseUrl"/> (a server or a proxy), subscribes, and waits for "subscribed".</summary>
    public static async Task<EventsSocket> SubscribeAsync(Uri baseUrl, string apiKey, object subscribe)
    {
        var socket = new EventsSocket();
        var url = new UriBuilder(baseUrl) { Scheme = baseUrl.Scheme == "https" ? "wss" : "ws", Path = "/v0", Query = $"api_key={Uri.EscapeDataString(apiKey)}" }.Uri;
        using var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket._socket.ConnectAsync(url, connecting.Token);
        await socket._socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(subscribe), WebSocketMessageType.Text, true, connecting.Token);
        var first = await socket.ReceiveAsync(TimeSpan.FromSeconds(15));
        Assert.True(first["type"]?.GetValue<string>() == "subscribed", $"expected \"subscribed\", got {first.ToJsonString()}");
        return socket;
    }

    /// <summary>The next message, failing the test if none comes within <paramref name="timeout"/>.</summary>
    public async Task<JsonObject> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        try
        {
            do
            {
                result = await _socket.ReceiveAsync(buffer, cts.Token);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no websocket message within {timeout}");
        }

        return JsonNode.Parse(Encoding.UTF8.GetString(message.ToArray()))!.AsObject();
    }

    /// <summary>Messages until one matches, failing the test if none does within <paramref name="timeout"/>; returns it and those before it.</summary>
    public async Task<(JsonObject Match, List<JsonObject> Before)> ReceiveUntilAsync(Func<JsonObject, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var before = new List<JsonObject>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var next = await ReceiveAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            if (match(next))
            {
                return (next, before);
            }

            before.Add(next);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }

        _socket.Dispose();
    }
}
