using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentMail.Review.Core.ApiKeys;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Web.Api;

namespace AgentMail.Review.Web.Events;

/// <summary>
/// AgentMail's websocket at <c>/v0</c>, as the SDKs' <c>client.websockets.connect()</c> opens it: the API key in
/// <c>api_key</c> (or the Authorization header), <c>{"type":"subscribe", event_types, inbox_ids}</c> answered with
/// <c>{"type":"subscribed", …}</c>, then every event in the caller's scope as the same JSON a webhook gets. It reads
/// the event log, so a client that reconnects with the last <c>event_id</c> it saw (<c>last_event_id</c> in the
/// subscribe message or the query) first receives what it missed. Protocol pings every
/// <see cref="Heartbeat"/> keep idle connections alive.
/// </summary>
public static class EventsWebSocket
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(20);

    private const int MaxMessageBytes = 64 * 1024;

    public static WebApplication MapEventsWebSocket(this WebApplication app)
    {
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = Heartbeat });
        app.Map("/v0", HandleAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task HandleAsync(HttpContext context, ApiKeyService keys, EventLogReader log, EventSignal signal, IEventPayloads payloads, TimeProvider clock)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            // No resource lives at /v0 itself; only the websocket does.
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsJsonAsync(new ApiError("NotFoundError", $"no API endpoint at {context.Request.Path}; /v0 takes only a websocket upgrade (the events stream)"));
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        var secret = context.Request.Query["api_key"].ToString() is { Length: > 0 } query ? query
            : header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
        var key = await keys.AuthenticateAsync(secret, context.RequestAborted);
        if (key is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsJsonAsync(new ApiError("UnauthorizedError", "an API key is required: api_key in the query or \"Authorization: Bearer <API key>\""));
            return;
        }

        var scope = key.IsOrganisationWide ? AccessScope.Organisation : new AccessScope(key.InboxIds.ToHashSet(StringComparer.OrdinalIgnoreCase));
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var session = new Session(socket, scope, log, signal, payloads, clock, context.Request.Query["last_event_id"].ToString());
        await session.RunAsync(context.RequestAborted);
    }

    private sealed record Subscription(IReadOnlySet<string>? EventTypes, IReadOnlySet<string>? InboxIds)
    {
        public bool Wants(EventRecord record, AccessScope scope) =>
            scope.Allows(record.InboxId)
            && (EventTypes is null || EventTypes.Contains(record.EventType))
            && (InboxIds is null || InboxIds.Contains(record.InboxId));
    }

    private sealed class Session(WebSocket socket, AccessScope scope, EventLogReader log, EventSignal signal, IEventPayloads payloads, TimeProvider clock, string? lastEventId)
    {
        private readonly SemaphoreSlim _sending = new(1, 1);
        private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile Subscription? _subscription;
        private long _position = -1;

        public async Task RunAsync(CancellationToken aborted)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            var streaming = StreamAsync(stop.Token);
            try
            {
                await ReceiveAsync(stop.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
            finally
            {
                await stop.CancelAsync();
                try
                {
                    await streaming;
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException)
                {
                }
            }
        }

        private async Task ReceiveAsync(CancellationToken ct)
        {
            var buffer = new byte[MaxMessageBytes];
            while (socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                    length += result.Count;
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                        return;
                    }

                    if (length == buffer.Length && !result.EndOfMessage)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, $"messages are at most {MaxMessageBytes} bytes", CancellationToken.None);
                        return;
                    }
                }
                while (!result.EndOfMessage);

                await HandleMessageAsync(buffer.AsMemory(0, length), ct);
            }
        }

        private async Task HandleMessageAsync(ReadOnlyMemory<byte> message, CancellationToken ct)
        {
            JsonObject? json;
            try
            {
                json = JsonNode.Parse(message.Span) as JsonObject;
            }
            catch (JsonException)
            {
                json = null;
            }

            if (json?["type"]?.GetValueKind() != JsonValueKind.String || json["type"]!.GetValue<string>() != "subscribe")
            {
                await SendErrorAsync("the only message this websocket takes is {\"type\": \"subscribe\", \"event_types\": [...], \"inbox_ids\": [...]}", ct);
                return;
            }

            var problems = new List<string>();
            var eventTypes = Strings(json, "event_types", problems);
            var inboxIds = Strings(json, "inbox_ids", problems)?.Select(i => i.Trim().ToLowerInvariant()).ToList();
            var pods = Strings(json, "pod_ids", problems);
            problems.AddRange((eventTypes ?? []).Where(t => !EventTypes.IsKnown(t)).Select(t => $"event_types: \"{t}\" is not an event type"));
            problems.AddRange((inboxIds ?? []).Where(i => !scope.Allows(i)).Select(i => $"inbox_ids: inbox {i} not found"));
            problems.AddRange((pods ?? []).Where(p => p != Inboxes.InboxResponse.OrganisationPod).Select(p => $"pod_ids: pod {p} not found"));
            if (problems.Count > 0)
            {
                await SendErrorAsync(string.Join("; ", problems), ct);
                return;
            }

            var resumeFrom = json["last_event_id"]?.GetValueKind() == JsonValueKind.String ? json["last_event_id"]!.GetValue<string>() : lastEventId;
            if (Interlocked.Read(ref _position) < 0 || !string.IsNullOrEmpty(json["last_event_id"]?.ToString()))
            {
                var known = string.IsNullOrEmpty(resumeFrom) ? null : await log.PositionOfAsync(resumeFrom, ct);
                if (!string.IsNullOrEmpty(resumeFrom) && known is null)
                {
                    await SendErrorAsync($"last_event_id: no event {resumeFrom}", ct);
                    return;
                }

                Interlocked.Exchange(ref _position, known ?? await log.LatestPositionAsync(ct));
            }

            _subscription = new Subscription(eventTypes?.ToHashSet(StringComparer.Ordinal), inboxIds?.ToHashSet(StringComparer.Ordinal));
            var subscribed = new JsonObject { ["type"] = "subscribed" };
            if (eventTypes is not null)
            {
                subscribed["event_types"] = new JsonArray([.. eventTypes.Select(t => JsonValue.Create(t))]);
            }

            if (inboxIds is not null)
            {
                subscribed["inbox_ids"] = new JsonArray([.. inboxIds.Select(i => JsonValue.Create(i))]);
            }

            await SendAsync(Encoding.UTF8.GetBytes(subscribed.ToJsonString()), ct);
            _subscribed.TrySetResult();
            signal.Pulse();
        }

        /// <summary>After the first subscribe: every event from the position on, as they commit.</summary>
        private async Task StreamAsync(CancellationToken ct)
        {
            await _subscribed.Task.WaitAsync(ct);
            while (!ct.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                var woken = signal.Next;
                var events = await log.ReadAfterAsync(Interlocked.Read(ref _position), 200, ct);
                foreach (var record in events)
                {
                    if (_subscription is { } subscription && subscription.Wants(record, scope))
                    {
                        await SendAsync(payloads.Render(record), ct);
                    }

                    Interlocked.Exchange(ref _position, record.Position);
                }

                if (events.Count < 200)
                {
                    await Task.WhenAny(woken, Task.Delay(TimeSpan.FromSeconds(2), clock, ct));
                }
            }
        }

        private static List<string>? Strings(JsonObject json, string name, List<string> problems)
        {
            var node = json[name];
            if (node is null)
            {
                return null;
            }

            if (node is JsonArray array && array.All(n => n?.GetValueKind() == JsonValueKind.String))
            {
                return array.Select(n => n!.GetValue<string>()).ToList();
            }

            problems.Add($"{name}: must be an array of strings");
            return null;
        }

        private Task SendErrorAsync(string message, CancellationToken ct) =>
            SendAsync(JsonSerializer.SerializeToUtf8Bytes(new { type = "error", name = "ValidationError", message }), ct);

        private async Task SendAsync(byte[] frame, CancellationToken ct)
        {
            await _sending.WaitAsync(ct);
            try
            {
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, ct);
            }
            finally
            {
                _sending.Release();
            }
        }
    }
}
