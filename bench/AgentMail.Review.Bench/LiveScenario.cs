using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace AgentMail.Review.Bench;

/// <summary>
/// Live updates: N signed-in SignalR clients listen on the drafts hub while an agent changes drafts through the API,
/// one change after another. For every change and every client: how long from the moment the PATCH went out until
/// that client had the matching <c>draftChanged</c> (same draft id and version as the API answered).
/// </summary>
public sealed class LiveScenario(BenchOptions options, BenchReport report, string workFolder, string apiKey)
{
    public const double P95GoalMs = 100;
    public const int GoalClients = 100;
    public const string HubPath = "/hubs/drafts";
    public const string ChangedMethod = "draftChanged";
    public const string Viewer = "viewer@example.com";

    private static readonly TimeSpan ArrivalTimeout = TimeSpan.FromSeconds(5);

    private int Changes => options.Quick ? 20 : 300;

    private int WarmupChanges => options.Quick ? 3 : 20;

    public async Task RunAsync(CancellationToken ct)
    {
        Console.WriteLine();
        Console.WriteLine($"== live: API change → draftChanged at each of {string.Join(", ", options.LiveClients)} hub clients, {Changes} changes one after another");

        var folder = Directory.CreateDirectory(Path.Combine(workFolder, "live")).FullName;
        await using var server = await ServerLauncher.StartAsync(options.ServerDll, Path.Combine(folder, "review.db"), apiKey, options.ServerEnvironment, TimeSpan.FromMinutes(2), ct);
        var cookies = await ConsoleSignIn.SignInAsync(server.BaseUrl, Viewer, ConsoleSignIn.DevelopmentPassword, ct);
        using var agent = new HttpClient(new SocketsHttpHandler { UseCookies = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = server.BaseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var drafts = await CreateDraftsAsync(agent, ct);

        foreach (var clients in options.LiveClients)
        {
            await MeasureAsync(server.BaseUrl, cookies, agent, drafts, clients, ct);
        }
    }

    private async Task MeasureAsync(Uri baseUrl, CookieContainer cookies, HttpClient agent, List<(string Inbox, string DraftId)> drafts, int clients, CancellationToken ct)
    {
        var arrivals = new ArrivalBoard(clients);
        var connectClock = Stopwatch.StartNew();
        var connections = await ConnectAsync(baseUrl, cookies, arrivals, clients, ct);
        var connectSeconds = connectClock.Elapsed.TotalSeconds;
        try
        {
            var latencies = new List<double>(clients * Changes);
            var apiLatencies = new List<double>(Changes);
            var spreads = new List<double>(Changes);
            var afterAnswer = new List<double>(clients * Changes);
            var missing = 0;
            var changesWithMissing = 0;
            for (var i = 0; i < WarmupChanges + Changes; i++)
            {
                var (inbox, draftId) = drafts[i % drafts.Count];
                var sent = Stopwatch.GetTimestamp();
                var (version, answered) = await PatchAsync(agent, inbox, draftId, $"Live change {clients}/{i}", ct);
                var apiMs = Stopwatch.GetElapsedTime(sent, answered).TotalMilliseconds;
                var change = arrivals.For(draftId, version);
                try
                {
                    await change.AllArrived.WaitAsync(ArrivalTimeout, ct);
                }
                catch (TimeoutException)
                {
                    // Counted below as missing; the next change goes ahead.
                }

                var heard = change.Snapshot().Where(t => t != 0).Select(t => Stopwatch.GetElapsedTime(sent, t).TotalMilliseconds).ToList();
                arrivals.Forget(draftId, version);
                if (i < WarmupChanges)
                {
                    continue;
                }

                apiLatencies.Add(apiMs);
                latencies.AddRange(heard);
                afterAnswer.AddRange(heard.Select(ms => ms - apiMs));
                if (heard.Count > 0)
                {
                    spreads.Add(heard.Max() - heard.Min());
                }

                if (heard.Count < clients)
                {
                    missing += clients - heard.Count;
                    changesWithMissing++;
                }
            }

            var p95 = Stats.Percentile(latencies, 95);
            var goal = string.Create(CultureInfo.InvariantCulture, $"≤ {P95GoalMs:0} ms at {GoalClients} clients");
            report.Add(new Figure($"live.{clients}.p50_ms", "live", $"{clients} clients: API change → draftChanged, p50", Stats.Percentile(latencies, 50), "ms", null, null,
                $"{Changes} changes × {clients} clients"));
            report.Add(new Figure($"live.{clients}.p95_ms", "live", $"{clients} clients: API change → draftChanged, p95", p95, "ms", goal, p95 <= P95GoalMs));
            report.Add(new Figure($"live.{clients}.p99_ms", "live", $"{clients} clients: API change → draftChanged, p99", Stats.Percentile(latencies, 99), "ms", null, null));
            report.Add(new Figure($"live.{clients}.spread_p50_ms", "live", $"{clients} clients: first → last client to hear a change, p50", Stats.Percentile(spreads, 50), "ms", null, null));
            report.Add(new Figure($"live.{clients}.missing", "live", $"{clients} clients: events not heard within {ArrivalTimeout.TotalSeconds:0} s", missing, "count", "= 0", missing == 0,
                missing > 0 ? $"in {changesWithMissing} of {Changes} changes" : null));
            report.Add(new Figure($"live.{clients}.api_p50_ms", "live", $"{clients} clients: the PATCH itself (request → response), p50", Stats.Percentile(apiLatencies, 50), "ms", null, null));
            report.Add(new Figure($"live.{clients}.api_p95_ms", "live", $"{clients} clients: the PATCH itself, p95", Stats.Percentile(apiLatencies, 95), "ms", null, null));
            report.Add(new Figure($"live.{clients}.after_answer_p50_ms", "live", $"{clients} clients: API answer read → draftChanged, p50", Stats.Percentile(afterAnswer, 50), "ms", null, null,
                "below 0: heard before the answer"));
            report.Add(new Figure($"live.{clients}.after_answer_p95_ms", "live", $"{clients} clients: API answer read → draftChanged, p95", Stats.Percentile(afterAnswer, 95), "ms", null, null));
            if (clients >= GoalClients && p95 > P95GoalMs)
            {
                report.Note(string.Create(CultureInfo.InvariantCulture,
                    $"live at {clients} clients: p95 {p95:0} ms, of which the PATCH itself takes p95 {Stats.Percentile(apiLatencies, 95):0} ms and answer → event p95 {Stats.Percentile(afterAnswer, 95):0.0} ms"));
            }

            report.Add(new Figure($"live.{clients}.connect_s", "live", $"{clients} clients: connecting them all (negotiate + WebSocket)", connectSeconds, "s", null, null));
        }
        finally
        {
            await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    private static async Task<List<HubConnection>> ConnectAsync(Uri baseUrl, CookieContainer cookies, ArrivalBoard arrivals, int clients, CancellationToken ct)
    {
        var connections = new HubConnection[clients];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, clients), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (client, token) =>
            {
                var connection = new HubConnectionBuilder()
                    .WithUrl(new Uri(baseUrl, HubPath), http =>
                    {
                        http.Cookies = cookies;
                        http.Transports = HttpTransportType.WebSockets;
                    })
                    .Build();
                connection.On<JsonElement>(ChangedMethod, message => arrivals.Arrived(
                    client, message.GetProperty("draft_id").GetString()!, message.GetProperty("version").GetInt64(), Stopwatch.GetTimestamp()));
                connections[client] = connection;
                await connection.StartAsync(token);
            });
        }
        catch
        {
            await Task.WhenAll(connections.Where(c => c is not null).Select(c => c.DisposeAsync().AsTask()));
            throw;
        }

        return [.. connections];
    }

    private static async Task<List<(string Inbox, string DraftId)>> CreateDraftsAsync(HttpClient agent, CancellationToken ct)
    {
        var inbox = (await SendAsync(agent, HttpMethod.Post, "/v0/inboxes", new { username = "live-agent", display_name = "Live agent" }, ct))
            .RootElement.GetProperty("inbox_id").GetString()!;
        var drafts = new List<(string, string)>();
        for (var i = 0; i < 10; i++)
        {
            using var draft = await SendAsync(agent, HttpMethod.Post, $"/v0/inboxes/{Uri.EscapeDataString(inbox)}/drafts", new
            {
                to = new[] { $"customer-{i}@example.com" },
                subject = $"Live draft {i}",
                text = $"Hello, this is live draft {i}.",
            }, ct);
            drafts.Add((inbox, draft.RootElement.GetProperty("draft_id").GetString()!));
        }

        return drafts;
    }

    /// <summary>Changes the subject; returns the version the API answered and the timestamp when its answer was read.</summary>
    private static async Task<(long Version, long Answered)> PatchAsync(HttpClient agent, string inbox, string draftId, string subject, CancellationToken ct)
    {
        using var body = await SendAsync(agent, HttpMethod.Patch, $"/v0/inboxes/{Uri.EscapeDataString(inbox)}/drafts/{draftId}", new { subject }, ct);
        var answered = Stopwatch.GetTimestamp();
        var draft = body.RootElement;
        if (draft.GetProperty("draft_id").GetString() != draftId)
        {
            throw new InvalidOperationException($"PATCH of draft {draftId} answered another draft: {draft}");
        }

        return (draft.GetProperty("version").GetInt64(), answered);
    }

    private static async Task<JsonDocument> SendAsync(HttpClient agent, HttpMethod method, string path, object body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
        using var response = await agent.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text);
    }

    /// <summary>When each client heard each change, keyed by (draft id, version); an event may come before the API's answer.</summary>
    private sealed class ArrivalBoard(int clients)
    {
        private readonly ConcurrentDictionary<(string DraftId, long Version), Arrivals> _changes = new();

        public Arrivals For(string draftId, long version) => _changes.GetOrAdd((draftId, version), _ => new Arrivals(clients));

        public void Arrived(int client, string draftId, long version, long timestamp) => For(draftId, version).Arrived(client, timestamp);

        public void Forget(string draftId, long version) => _changes.TryRemove((draftId, version), out _);
    }

    private sealed class Arrivals(int clients)
    {
        private readonly long[] _timestamps = new long[clients];
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public Task AllArrived => _all.Task;

        public void Arrived(int client, long timestamp)
        {
            if (Interlocked.CompareExchange(ref _timestamps[client], timestamp, 0) == 0 && Interlocked.Increment(ref _count) == _timestamps.Length)
            {
                _all.TrySetResult();
            }
        }

        public long[] Snapshot()
        {
            var copy = new long[_timestamps.Length];
            for (var i = 0; i < copy.Length; i++)
            {
                copy[i] = Volatile.Read(ref _timestamps[i]);
            }

            return copy;
        }
    }
}
