using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace AgentMail.Review.Bench;

/// <summary>
/// Events: a webhook endpoint (an HttpListener on loopback) and a <c>/v0</c> websocket subscriber hear
/// <c>draft.created</c> while an agent creates drafts through the API. Latency: from the moment the create went out
/// (its commit happens inside that request) until the webhook delivery, and until the websocket frame, arrived.
/// Throughput: a burst of creates from several agents at once, until the endpoint has every delivery.
/// </summary>
public sealed class EventsScenario(BenchOptions options, BenchReport report, string workFolder, string apiKey)
{
    public const double P95GoalMs = 1000;
    private static readonly TimeSpan ArrivalTimeout = TimeSpan.FromSeconds(30);

    private int Sequential => options.Quick ? 30 : 300;

    private int Burst => options.Quick ? 200 : 2000;

    public async Task RunAsync(CancellationToken ct)
    {
        Console.WriteLine();
        Console.WriteLine($"== events: create → webhook delivery and → websocket frame, {Sequential} one after another; then {Burst} at once");
        var folder = Directory.CreateDirectory(Path.Combine(workFolder, "events")).FullName;
        var environment = new Dictionary<string, string>(options.ServerEnvironment) { ["Review__Webhooks__AllowPrivateNetworks"] = "true" };
        await using var server = await ServerLauncher.StartAsync(options.ServerDll, Path.Combine(folder, "review.db"), apiKey, environment, TimeSpan.FromMinutes(2), ct);
        using var agent = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);

        var inbox = (await PostAsync(agent, "/v0/inboxes", new { username = $"events-{Guid.NewGuid():N}"[..20], domain = "bench.example.test" }, ct)).GetProperty("inbox_id").GetString()!;
        var clock = Stopwatch.StartNew();
        var webhookArrivals = new ConcurrentDictionary<string, double>();
        var socketArrivals = new ConcurrentDictionary<string, double>();
        var deliveries = 0;

        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/hooks/");
        listener.Start();
        var receiving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = await JsonDocument.ParseAsync(context.Request.InputStream, cancellationToken: ct);
                webhookArrivals.TryAdd(body.RootElement.GetProperty("draft").GetProperty("draft_id").GetString()!, clock.Elapsed.TotalMilliseconds);
                Interlocked.Increment(ref deliveries);
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }, ct);
        await PostAsync(agent, "/v0/webhooks", new { url = $"http://127.0.0.1:{port}/hooks/", event_types = new[] { "draft.created" }, inbox_ids = new[] { inbox } }, ct);

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{server.BaseUrl.Authority}/v0?api_key={Uri.EscapeDataString(apiKey)}"), ct);
        await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(new { type = "subscribe", event_types = new[] { "draft.created" }, inbox_ids = new[] { inbox } }), WebSocketMessageType.Text, true, ct);
        var subscribed = new TaskCompletionSource();
        var listening = Task.Run(async () =>
        {
            var buffer = new byte[1 << 20];
            while (socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                try
                {
                    do
                    {
                        result = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                        length += result.Count;
                    }
                    while (!result.EndOfMessage);
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException)
                {
                    return;
                }

                using var frame = JsonDocument.Parse(buffer.AsMemory(0, length));
                if (frame.RootElement.GetProperty("type").GetString() == "subscribed")
                {
                    subscribed.TrySetResult();
                }
                else if (frame.RootElement.TryGetProperty("draft", out var draft))
                {
                    socketArrivals.TryAdd(draft.GetProperty("draft_id").GetString()!, clock.Elapsed.TotalMilliseconds);
                }
            }
        }, ct);
        await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);

        // One after another: each create's events arrive before the next goes out.
        var sentAt = new Dictionary<string, double>();
        for (var i = 0; i < Sequential; i++)
        {
            var start = clock.Elapsed.TotalMilliseconds;
            var id = (await PostAsync(agent, $"/v0/inboxes/{inbox}/drafts", new { subject = $"event {i}" }, ct)).GetProperty("draft_id").GetString()!;
            sentAt[id] = start;
            await WaitAsync(() => webhookArrivals.ContainsKey(id) && socketArrivals.ContainsKey(id), TimeSpan.FromSeconds(10), ct);
        }

        var webhookLatency = sentAt.Where(s => webhookArrivals.ContainsKey(s.Key)).Select(s => webhookArrivals[s.Key] - s.Value).ToList();
        var socketLatency = sentAt.Where(s => socketArrivals.ContainsKey(s.Key)).Select(s => socketArrivals[s.Key] - s.Value).ToList();
        var missing = sentAt.Count(s => !webhookArrivals.ContainsKey(s.Key)) + sentAt.Count(s => !socketArrivals.ContainsKey(s.Key));
        var webhookP95 = Stats.Percentile(webhookLatency, 95);
        var socketP95 = Stats.Percentile(socketLatency, 95);
        report.Add(new Figure("events.webhook.p50_ms", "events", "create → webhook delivery, p50", Stats.Percentile(webhookLatency, 50), "ms", null, null));
        report.Add(new Figure("events.webhook.p95_ms", "events", "create → webhook delivery, p95", webhookP95, "ms", $"≤ {P95GoalMs} ms", webhookP95 <= P95GoalMs));
        report.Add(new Figure("events.websocket.p50_ms", "events", "create → websocket frame, p50", Stats.Percentile(socketLatency, 50), "ms", null, null));
        report.Add(new Figure("events.websocket.p95_ms", "events", "create → websocket frame, p95", socketP95, "ms", $"≤ {P95GoalMs} ms", socketP95 <= P95GoalMs));
        report.Add(new Figure("events.missing", "events", "events not heard (webhook or websocket) within 10 s", missing, "count", "= 0", missing == 0));

        // A burst: 8 agents create at once; the endpoint answers each delivery at once.
        var before = Volatile.Read(ref deliveries);
        var burstClock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Burst), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
            await PostAsync(agent, $"/v0/inboxes/{inbox}/drafts", new { subject = $"burst {i}" }, token));
        var createSeconds = burstClock.Elapsed.TotalSeconds;
        await WaitAsync(() => Volatile.Read(ref deliveries) - before >= Burst, ArrivalTimeout, ct);
        var delivered = Volatile.Read(ref deliveries) - before;
        var perSecond = delivered / burstClock.Elapsed.TotalSeconds;
        report.Add(new Figure("events.webhook.burst_per_second", "events", $"webhook deliveries per second, {Burst} drafts created by 8 agents at once", perSecond, "/s", null, null,
            $"{delivered} delivered in {burstClock.Elapsed.TotalSeconds:0.0} s; the creates themselves took {createSeconds:0.0} s"));

        Console.WriteLine($"  webhook p50 {Stats.Percentile(webhookLatency, 50):0.0} ms, p95 {webhookP95:0.0} ms; websocket p50 {Stats.Percentile(socketLatency, 50):0.0} ms, p95 {socketP95:0.0} ms; missing {missing}");
        Console.WriteLine($"  burst: {delivered} deliveries in {burstClock.Elapsed.TotalSeconds:0.0} s ({perSecond:0} /s; creates took {createSeconds:0.0} s)");

        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        listener.Stop();
        await receiving;
        await Task.WhenAny(listening, Task.Delay(TimeSpan.FromSeconds(2), ct));
    }

    private static async Task<JsonElement> PostAsync(HttpClient api, string path, object body, CancellationToken ct)
    {
        using var response = await api.PostAsJsonAsync(path, body, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task WaitAsync(Func<bool> done, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (!done() && deadline.Elapsed < timeout)
        {
            await Task.Delay(2, ct);
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
