using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace AgentMail.Review.Bench;

/// <summary>
/// Drafts created through the API by concurrent agents, against the same rows inserted straight into SQLite with the
/// server's pragmas: how much of the store's own write speed survives HTTP, validation, the audit entry and the
/// change feed.
/// </summary>
public sealed partial class CreateScenario(BenchOptions options, BenchReport report, string workFolder, string apiKey)
{
    public const double ThroughputGoal = 2_500;
    public const double DurableRatioGoal = 0.40;

    public async Task RunAsync(CancellationToken ct)
    {
        var count = options.CreateCount;
        var clients = options.Clients;
        Console.WriteLine();
        Console.WriteLine($"== create: {count:#,0} drafts by {clients} concurrent API clients, against raw SQLite inserts of the same rows");

        var folder = Directory.CreateDirectory(Path.Combine(workFolder, "create")).FullName;
        var template = Path.Combine(folder, "template.db");
        await using (await ServerLauncher.StartAsync(options.ServerDll, template, apiKey, options.ServerEnvironment, TimeSpan.FromMinutes(1), ct))
        {
            // Started once so that its migrations create the schema both runs below write into.
        }

        StoreSeeder.Checkpoint(template);
        var apiDb = Copy(template, Path.Combine(folder, "api.db"));
        var rawDb = Copy(template, Path.Combine(folder, "raw.db"));

        var api = await CreateThroughApiAsync(apiDb, count, clients, ct);
        var journal = JournalMode(apiDb);
        var samePragmas = new StorePragmas(journal, api.ServerSynchronous);
        var durable = new StorePragmas(journal, "FULL");
        var rawOne = RawInserts.Run(rawDb, api.Rows, writers: 1, samePragmas);
        var rawMany = RawInserts.Run(Copy(template, Path.Combine(folder, "raw-many.db")), api.Rows, writers: clients, samePragmas);
        var rawDurable = RawInserts.Run(Copy(template, Path.Combine(folder, "raw-full.db")), api.Rows, writers: 1, durable);
        var raw = Math.Max(rawOne.PerSecond, rawMany.PerSecond);

        report.Add(new Figure("create.api_per_s", "create", $"API creates/s, {clients} concurrent agents", api.PerSecond, "/s",
            $"≥ {ThroughputGoal:#,0} /s", api.PerSecond >= ThroughputGoal, $"{api.Created:#,0} in {api.Seconds:0.0} s"));
        report.Add(new Figure("create.api_latency.p50_ms", "create", "API create latency, p50", Stats.Percentile(api.Latencies, 50), "ms", null, null));
        report.Add(new Figure("create.api_latency.p95_ms", "create", "API create latency, p95", Stats.Percentile(api.Latencies, 95), "ms", null, null));
        report.Add(new Figure("create.api_latency.p99_ms", "create", "API create latency, p99", Stats.Percentile(api.Latencies, 99), "ms", null, null));
        report.Add(new Figure("create.raw_1_writer_per_s", "create", "raw single-row inserts/s, server's pragmas, 1 writer", rawOne.PerSecond, "/s", null, null,
            $"journal_mode={samePragmas.JournalMode}, synchronous={samePragmas.Synchronous}"));
        report.Add(new Figure($"create.raw_{clients}_writers_per_s", "create", $"raw single-row inserts/s, server's pragmas, {clients} writers", rawMany.PerSecond, "/s", null, null));
        report.Add(new Figure("create.raw_durable_per_s", "create", "raw single-row inserts/s, synchronous=FULL, 1 writer", rawDurable.PerSecond, "/s", null, null,
            "each insert on disk before it returns, as each API create is before its answer"));
        report.Add(new Figure("create.api_vs_raw_ratio", "create", "API creates / raw inserts with the server's pragmas", api.PerSecond / raw, "×", null, null,
            "those inserts do not wait for the disk; an API create does"));
        report.Add(new Figure("create.api_vs_raw_durable_ratio", "create", "API creates / raw inserts each on disk before returning", api.PerSecond / rawDurable.PerSecond, "×",
            $"≥ {DurableRatioGoal:0.00}", api.PerSecond / rawDurable.PerSecond >= DurableRatioGoal));
        report.Add(new Figure("create.rejected", "create", "creates refused", api.Rejected, "count", "= 0", api.Rejected == 0, api.FirstError));

        using var check = QueryPlans.OpenReadOnly(apiDb);
        var stored = StoreSeeder.Scalar(check, $"SELECT COUNT(*) FROM drafts WHERE Subject LIKE '%(timed)'");
        report.Add(new Figure("create.stored", "create", "timed drafts in the API's store afterwards", stored, "count", $"= {api.Created:#,0}", stored == api.Created));
    }

    private sealed record ApiRun(int Created, int Rejected, string? FirstError, double Seconds, List<double> Latencies, List<DraftRow> Rows, string ServerSynchronous)
    {
        public double PerSecond => Created / Seconds;
    }

    private async Task<ApiRun> CreateThroughApiAsync(string db, int count, int clients, CancellationToken ct)
    {
        await using var server = await ServerLauncher.StartAsync(options.ServerDll, db, apiKey, options.ServerEnvironment, TimeSpan.FromMinutes(1), ct);
        using var api = new ApiClient(server.BaseUrl, apiKey, connections: clients * 2);
        var inboxes = new List<string>();
        for (var i = 1; i <= clients; i++)
        {
            var (status, body, _) = await api.PostAsync("/v0/inboxes", new Dictionary<string, object?> { ["username"] = $"create-agent-{i:00}" }, ct);
            if (status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"POST /v0/inboxes answered {(int)status}: {body}");
            }

            using var json = JsonDocument.Parse(body);
            inboxes.Add(json.RootElement.GetProperty("inbox_id").GetString()!);
        }

        // Warm-up: JIT (until the hot path is at its final tier), connection pools, the SQLite page cache. Not timed, not counted.
        await CreateAsync(api, inboxes, Math.Min(10_000, count / 2), "warm-up", ct);
        var serverCpu = CpuWatch.ProcessCpuTime(server.ProcessId);
        var benchCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var timed = await CreateAsync(api, inboxes, count, "timed", ct);
        var clientMs = (Process.GetCurrentProcess().TotalProcessorTime - benchCpu).TotalMilliseconds / timed.Created;
        if (serverCpu is { } before && CpuWatch.ProcessCpuTime(server.ProcessId) is { } after)
        {
            var serverMs = (after - before).TotalMilliseconds / timed.Created;
            report.Add(new Figure("create.server_cpu_ms_per_create", "create", "server CPU time per API create", serverMs, "ms", null, null,
                $"with the clients' share, {Environment.ProcessorCount} cores allow {Environment.ProcessorCount * 1000 / Math.Max(0.001, serverMs + clientMs):#,0} creates/s"));
        }

        report.Add(new Figure("create.client_cpu_ms_per_create", "create", "the 16 agents' (this tool's) CPU time per create", clientMs, "ms", null, null,
            "the agents share the machine's cores with the server"));

        // Synchronous is set per connection; the server names its setting in its start-up log.
        var synchronous = server.Lines.Select(l => SynchronousSetting().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value.ToUpperInvariant()
            ?? throw new InvalidOperationException("the server did not log its store settings (synchronous=...) at start-up");
        return timed with { ServerSynchronous = synchronous };
    }

    private static async Task<ApiRun> CreateAsync(ApiClient api, List<string> inboxes, int count, string phase, CancellationToken ct)
    {
        var next = -1;
        var latencies = new List<double>(count);
        var rows = new List<DraftRow>(count);
        var rejected = 0;
        string? firstError = null;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(inboxes.Select(async inbox =>
        {
            while (Interlocked.Increment(ref next) is var n && n < count)
            {
                var draft = DraftRow.For(inbox, phase, n);
                var (status, text, ms) = await api.PostAsync($"/v0/inboxes/{Uri.EscapeDataString(inbox)}/drafts", draft.RequestBody(), ct);
                lock (rows)
                {
                    latencies.Add(ms);
                    if (status == HttpStatusCode.OK)
                    {
                        using var json = JsonDocument.Parse(text);
                        rows.Add(draft.StoredAs(json.RootElement));
                    }
                    else
                    {
                        rejected++;
                        firstError ??= $"{(int)status} {text}";
                    }
                }
            }
        }));
        return new ApiRun(rows.Count, rejected, firstError, clock.Elapsed.TotalSeconds, latencies, rows, "");
    }

    public sealed record StorePragmas(string JournalMode, string Synchronous);

    [System.Text.RegularExpressions.GeneratedRegex(@"synchronous=([a-z]+)")]
    private static partial System.Text.RegularExpressions.Regex SynchronousSetting();

    private static string JournalMode(string db)
    {
        using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        return (string)command.ExecuteScalar()!;
    }

    private static string Copy(string from, string to)
    {
        File.Copy(from, to, overwrite: true);
        return to;
    }

    /// <summary>A draft as an agent asks for it, and then as the server stored it, so the raw run inserts identical rows.</summary>
    public sealed record DraftRow(string InboxId, string To, string Subject, string Text, string DraftId = "", string ThreadId = "", long CreatedTicks = 0)
    {
        public static DraftRow For(string inbox, string phase, int n) => new(
            inbox,
            $"customer-{n}@example.com",
            string.Create(CultureInfo.InvariantCulture, $"Your order #{100_000 + n} ({phase})"),
            string.Create(CultureInfo.InvariantCulture, $"Hello, your order #{100_000 + n} ships today. Tracking follows in a separate email."));

        public Dictionary<string, object?> RequestBody() => new()
        {
            ["to"] = new[] { To },
            ["subject"] = Subject,
            ["text"] = Text,
        };

        public DraftRow StoredAs(JsonElement created) => this with
        {
            DraftId = created.GetProperty("draft_id").GetString()!,
            // The API does not show a draft's thread; a new one is what the server gives a draft that replies to nothing.
            ThreadId = Guid.CreateVersion7().ToString(),
            CreatedTicks = DateTime.Parse(created.GetProperty("updated_at").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal).Ticks,
        };
    }
}
