using System.Globalization;
using System.Net;

namespace AgentMail.Review.Bench;

/// <summary>
/// Organisation-wide list latency, <c>GET /v0/drafts?limit=50</c>: the first page against the 20th (reached by
/// following next_page_token 19 times), unfiltered, filtered by a label (<c>labels=["follow-up"]</c>, one draft in
/// seven) and by a state (<c>labels=["scheduled"]</c>, the state AgentMail's API shows as a label), on a store of each
/// size.
/// </summary>
public sealed class ListScenario(BenchOptions options, BenchReport report, string workFolder, string apiKey)
{
    public const int PageSize = 50;
    public const int DeepPage = 20;
    public const double LatencyGoalMs = 20;
    public const double DeepPageGoalRatio = 2;

    /// <summary>The list's kinds: the key part in figure names, who it is in labels, the query string it adds.</summary>
    public static readonly IReadOnlyList<(string Kind, string Who, string Filter)> Kinds =
    [
        ("all", "all drafts", ""),
        ("label", $"labels=[\"{StoreSeeder.FollowUpLabel}\"]", $"&labels={Uri.EscapeDataString($"[\"{StoreSeeder.FollowUpLabel}\"]")}"),
        ("state", "labels=[\"scheduled\"]", $"&labels={Uri.EscapeDataString("[\"scheduled\"]")}"),
    ];

    private sealed record Shape(string Key, string Label, string Path);

    public async Task RunAsync(CancellationToken ct)
    {
        Console.WriteLine();
        Console.WriteLine("== list: GET /v0/drafts?limit=50, first page vs page 20, on stores of " +
                          string.Join(" and ", options.Sizes.Select(s => s.ToString("#,0", CultureInfo.InvariantCulture))) + " drafts");

        // The server creates the schema on an empty file once; every size starts from a copy of it.
        var schemaFolder = Directory.CreateDirectory(Path.Combine(workFolder, "schema")).FullName;
        var schemaDb = Path.Combine(schemaFolder, "review.db");
        await using (var first = await StartServerAsync(schemaDb, new Dictionary<string, string>(), ct))
        {
            Console.WriteLine($"  schema created by the server in {first.StartupTime.TotalSeconds:0.0} s (start-up to healthy)");
        }

        StoreSeeder.Checkpoint(schemaDb);
        var emptyDb = Path.Combine(schemaFolder, "empty.db");
        File.Copy(schemaDb, emptyDb, overwrite: true);
        await using (var empty = await StartServerAsync(emptyDb, new Dictionary<string, string>(), ct))
        {
            report.Add(new Figure("list.empty.server_start_s", "list", "empty store: server start-up to the first answered request", empty.StartupTime.TotalSeconds, "s", null, null));
        }

        List<CapturedQuery>? queries = null;
        foreach (var size in options.Sizes)
        {
            var label = size.ToString("#,0", CultureInfo.InvariantCulture);
            var folder = Directory.CreateDirectory(Path.Combine(workFolder, $"list-{size}")).FullName;
            var db = Path.Combine(folder, "review.db");
            File.Copy(schemaDb, db, overwrite: true);
            var seeded = StoreSeeder.Seed(db, size, DateTime.UtcNow);
            Console.WriteLine();
            Console.WriteLine($"  store of {label} drafts: {seeded.Scheduled:#,0} scheduled, {seeded.Failed:#,0} failed, {seeded.Pending:#,0} pending, " +
                              $"in {seeded.Inboxes} inboxes; seeded in {seeded.Took.TotalSeconds:0.0} s");

            // Once per run: the SQL the server really issues, from its own command log (a separate start, so the
            // logging costs nothing in the timed runs).
            if (queries is null)
            {
                queries = await CaptureQueriesAsync(db, ct);
            }

            await MeasureAsync(size, label, db, queries, ct);
        }

        CompareSizes();
    }

    /// <summary>Flat as the store grows: each shape's p95 on the largest store against the smallest.</summary>
    private void CompareSizes()
    {
        if (options.Sizes.Count < 2)
        {
            return;
        }

        var smallest = options.Sizes.Min();
        var largest = options.Sizes.Max();
        foreach (var (kind, who, _) in Kinds)
        {
            foreach (var page in new[] { "page1", "page20" })
            {
                var small = report.Figures.FirstOrDefault(f => f.Key == $"list.{smallest}.{kind}.{page}.p95_ms")?.Value ?? double.NaN;
                var large = report.Figures.FirstOrDefault(f => f.Key == $"list.{largest}.{kind}.{page}.p95_ms")?.Value ?? double.NaN;
                var ratio = large / small;
                report.Add(new Figure($"list.{kind}.{page}.largest_vs_smallest_p95_ratio", "list",
                    string.Create(CultureInfo.InvariantCulture, $"{who}, {(page == "page1" ? "page 1" : "page 20")}: p95 at {largest:#,0} / at {smallest:#,0}"),
                    ratio, "x", $"≤ {DeepPageGoalRatio:0}×", ratio <= DeepPageGoalRatio));
            }
        }
    }

    private async Task MeasureAsync(int size, string label, string db, List<CapturedQuery> queries, CancellationToken ct)
    {
        var tokens = new Dictionary<string, string?>();
        var deepPages = new Dictionary<string, int>();
        await using (var server = await StartServerAsync(db, new Dictionary<string, string>(), ct))
        {
            report.Add(new Figure($"list.{size}.server_start_s", "list", $"{label}: server start-up to the first answered request", server.StartupTime.TotalSeconds, "s", null, null,
                "includes giving every draft due within the scheduling horizon its job"));
            using var api = new ApiClient(server.BaseUrl, apiKey, connections: 2);

            foreach (var (kind, who, filter) in Kinds)
            {
                var firstPath = $"/v0/drafts?limit={PageSize}{filter}";
                var (deepPath, deepPage, deepToken) = await FollowAsync(api, firstPath, ct);
                tokens[kind] = deepToken;
                deepPages[kind] = deepPage;
                var first = await TimeAsync(api, firstPath, ct);
                var deep = await TimeAsync(api, deepPath, ct);
                var deepNote = deepPage == DeepPage ? null : $"the list ends at page {deepPage}";

                AddLatency($"list.{size}.{kind}.page1", $"{label}: {who}, page 1", first, null);
                AddLatency($"list.{size}.{kind}.page20", $"{label}: {who}, page {deepPage}", deep, deepNote);

                var p50Ratio = Stats.Percentile(deep, 50) / Stats.Percentile(first, 50);
                var p95Ratio = Stats.Percentile(deep, 95) / Stats.Percentile(first, 95);
                report.Add(new Figure($"list.{size}.{kind}.page20_vs_page1.p50_ratio", "list", $"{label}: {who}, page {deepPage} / page 1 (p50)", p50Ratio, "x",
                    $"≤ {DeepPageGoalRatio:0}×", p50Ratio <= DeepPageGoalRatio, deepNote));
                report.Add(new Figure($"list.{size}.{kind}.page20_vs_page1.p95_ratio", "list", $"{label}: {who}, page {deepPage} / page 1 (p95)", p95Ratio, "x",
                    $"≤ {DeepPageGoalRatio:0}×", p95Ratio <= DeepPageGoalRatio, deepNote));
            }
        }

        // With the server stopped, the same SQL straight against the file: how much of the latency is the store.
        var plans = new List<QueryPlan>();
        foreach (var query in queries)
        {
            var plan = QueryPlans.Explain(db, query);
            plans.Add(plan);
            Console.WriteLine($"  plan, {query.Shape}: {QueryPlans.Summarise(plan)}");
            foreach (var line in plan.Plan)
            {
                Console.WriteLine($"      {line}");
            }

            var next = query.Shape.Contains("next page", StringComparison.Ordinal);
            var (kind, who, _) = Kinds.First(k => query.Shape.StartsWith(k.Kind, StringComparison.Ordinal));
            var position = next ? QueryPlans.DecodePageToken(tokens.GetValueOrDefault(kind)) : null;
            var times = next && position is null ? null : QueryPlans.TimeDirect(db, query, PageSize, position, StoreSeeder.FollowUpLabel, options.Requests);
            var page = next ? deepPages.GetValueOrDefault(kind, DeepPage) : 1;
            var key = $"list.{size}.{kind}.page{(next ? "20" : "1")}.sql_only_p50_ms";
            report.Add(new Figure(key, "list", $"{label}: {who}, page {page}: the SQL alone, p50", times is null ? double.NaN : Stats.Percentile(times, 50), "ms",
                null, null, times is null ? "could not bind the captured parameters" : "in-process SQLite, no HTTP/EF/JSON"));
        }

        report.QueryPlans[$"store of {label} drafts"] = plans;
    }

    private void AddLatency(string key, string label, List<double> sample, string? note)
    {
        var p50 = Stats.Percentile(sample, 50);
        var p95 = Stats.Percentile(sample, 95);
        report.Add(new Figure($"{key}.p50_ms", "list", $"{label}, p50", p50, "ms", null, null, note));
        report.Add(new Figure($"{key}.p95_ms", "list", $"{label}, p95", p95, "ms", $"≤ {LatencyGoalMs:0} ms", p95 <= LatencyGoalMs, note));
    }

    /// <summary>Follows next_page_token from the first page until page 20 (or the last page, if the list is shorter).</summary>
    private static async Task<(string Path, int Page, string? Token)> FollowAsync(ApiClient api, string firstPath, CancellationToken ct)
    {
        var path = firstPath;
        string? token = null;
        var page = 1;
        while (page < DeepPage)
        {
            var (status, body, _) = await api.GetAsync(path, ct);
            using (body)
            {
                EnsureOk(status, path);
                var next = body!.RootElement.TryGetProperty("next_page_token", out var t) && t.ValueKind == System.Text.Json.JsonValueKind.String ? t.GetString() : null;
                if (next is null)
                {
                    break;
                }

                token = next;
                path = $"{firstPath}&page_token={Uri.EscapeDataString(next)}";
                page++;
            }
        }

        // The page reached must really be a full page of this list.
        var (lastStatus, lastBody, _) = await api.GetAsync(path, ct);
        using (lastBody)
        {
            EnsureOk(lastStatus, path);
            var count = lastBody!.RootElement.GetProperty("count").GetInt32();
            if (count == 0)
            {
                throw new InvalidOperationException($"page {page} of {firstPath} is empty");
            }
        }

        return (path, page, token);
    }

    /// <summary>Warm-up, then the timed requests one after another (latency, not throughput).</summary>
    private async Task<List<double>> TimeAsync(ApiClient api, string path, CancellationToken ct)
    {
        for (var i = 0; i < options.WarmupRequests; i++)
        {
            var (status, _, _) = await api.TimeGetAsync(path, ct);
            EnsureOk(status, path);
        }

        var times = new List<double>(options.Requests);
        for (var i = 0; i < options.Requests; i++)
        {
            var (status, _, ms) = await api.TimeGetAsync(path, ct);
            EnsureOk(status, path);
            times.Add(ms);
        }

        return times;
    }

    private async Task<List<CapturedQuery>> CaptureQueriesAsync(string db, CancellationToken ct)
    {
        await using var server = await StartServerAsync(db, QueryPlans.LoggingEnvironment, ct);
        using var api = new ApiClient(server.BaseUrl, apiKey, connections: 2);
        foreach (var (_, _, filter) in Kinds)
        {
            var path = $"/v0/drafts?limit={PageSize}{filter}";
            var (status, body, _) = await api.GetAsync(path, ct);
            using (body)
            {
                EnsureOk(status, path);
                if (body!.RootElement.GetProperty("next_page_token").GetString() is { } token)
                {
                    var (nextStatus, nextBody, _) = await api.GetAsync($"{path}&page_token={Uri.EscapeDataString(token)}", ct);
                    nextBody?.Dispose();
                    EnsureOk(nextStatus, path);
                }
            }
        }

        // The console logger writes on its own thread; give it a moment to catch up.
        var queries = new List<CapturedQuery>();
        var shapes = Kinds.Count * 2;
        for (var wait = 0; wait < 50 && queries.Count < shapes; wait++)
        {
            await Task.Delay(100, ct);
            queries = QueryPlans.FindListQueries(server.Lines);
        }

        if (queries.Count < shapes)
        {
            report.Note($"only {queries.Count} of the {shapes} list query shapes appeared in the server's command log");
        }

        return queries;
    }

    private Task<ServerLauncher> StartServerAsync(string db, IReadOnlyDictionary<string, string> extra, CancellationToken ct)
    {
        var environment = new Dictionary<string, string>(options.ServerEnvironment);
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return ServerLauncher.StartAsync(options.ServerDll, db, apiKey, environment, TimeSpan.FromMinutes(3), ct);
    }

    private static void EnsureOk(HttpStatusCode status, string path)
    {
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)status}");
        }
    }
}
