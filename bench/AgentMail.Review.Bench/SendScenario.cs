using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace AgentMail.Review.Bench;

/// <summary>
/// <c>POST /v0/inboxes/{inbox_id}/drafts/{draft_id}/send</c> by agents whose key may send, in inboxes without review:
/// the draft is claimed and delivered within the request. Timed alone (one agent, one send after another) and under
/// load (many agents at once, each sending its own drafts), with the Outbox transport and with a fast SMTP server on
/// loopback. Beside each, the baseline: <c>GET</c> of the same drafts (a plain request on the same rows) alone and at
/// the same concurrency. Afterwards the store (and the SMTP server's log) must hold exactly one message per draft.
/// </summary>
public sealed class SendScenario(BenchOptions options, BenchReport report, string workFolder, string apiKey)
{
    public const double SendP50GoalMs = 50;

    private const int CreateConcurrency = 16;

    private static readonly Dictionary<string, object?> EmptyBody = [];

    private enum Transport
    {
        Outbox,
        Smtp,
    }

    private int Clients => options.SendClients;

    private int DraftsPerClient => options.SendDrafts;

    private int AloneCount => options.Quick ? 30 : 300;

    /// <summary>Untimed sends first, by several agents at once: JIT and tiered PGO, connection pools, the page cache.</summary>
    private int WarmupCount => options.Quick ? 40 : 2_000;

    public async Task RunAsync(CancellationToken ct)
    {
        Console.WriteLine();
        Console.WriteLine($"== send: POST …/send answered inline; {AloneCount} sends by 1 agent, then {Clients} agents × {DraftsPerClient} drafts at once; "
            + "GET of the same drafts as the baseline; Outbox, then SMTP to a sink on loopback");

        var folder = Directory.CreateDirectory(Path.Combine(workFolder, "send")).FullName;
        var fsync = MeasureFlush(folder, options.Quick ? 50 : 300);
        report.Add(new Figure("send.log_flush_p50_ms", "send", "one 4 KiB append + fsync in the store's folder (one group-commit flush), p50", fsync, "ms", null, null,
            "each send waits for two: its claim's and its completion's"));

        await RunAsync(Transport.Outbox, folder, ct);
        await RunAsync(Transport.Smtp, folder, ct);
    }

    private async Task RunAsync(Transport transport, string folder, CancellationToken ct)
    {
        var name = transport.ToString().ToLowerInvariant();
        var title = transport == Transport.Outbox ? "Outbox" : "SMTP";
        Console.WriteLine();
        Console.WriteLine($"-- {title} transport");
        var db = Path.Combine(folder, $"{name}.db");
        var environment = new Dictionary<string, string>(options.ServerEnvironment);
        SmtpSinkProcess? sink = null;
        if (transport == Transport.Smtp)
        {
            sink = await SmtpSinkProcess.StartAsync(Path.Combine(folder, "smtp-sink"), ct);
            var conversations = await sink.TimeConversationsAsync(options.Quick ? 20 : 200, ct);
            report.Add(new Figure("send.smtp.conversation.p50_ms", "send", "SMTP: one whole SMTP conversation with the sink from the bench (baseline), p50",
                Stats.Percentile(conversations, 50), "ms", null, null, $"{conversations.Count} conversations, connect to QUIT"));
            report.Add(new Figure("send.smtp.conversation.p95_ms", "send", "SMTP: one whole SMTP conversation with the sink (baseline), p95", Stats.Percentile(conversations, 95), "ms", null, null));
            environment["Delivery__Transport"] = "Smtp";
            environment["Delivery__Smtp__Host"] = "127.0.0.1";
            environment["Delivery__Smtp__Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            environment["Delivery__Smtp__Security"] = "None";
        }
        else
        {
            environment["Delivery__Transport"] = "Outbox";
        }

        try
        {
            var run = new Run();
            await using (var server = await ServerLauncher.StartAsync(options.ServerDll, db, apiKey, environment, TimeSpan.FromMinutes(1), ct))
            {
                using var api = new ApiClient(server.BaseUrl, apiKey, connections: Clients + CreateConcurrency);
                var inboxes = await CreateInboxesAsync(api, ct);

                // Every draft first, untimed: the warm-up's spread over the first agents, the lone agent's in the first inbox,
                // and each agent's own under load.
                var warmup = await CreateDraftsAsync(api, Enumerable.Range(0, WarmupCount).Select(i => inboxes[i % Math.Min(CreateConcurrency, inboxes.Count)]).ToList(), "warm-up", ct);
                var alone = await CreateDraftsAsync(api, Enumerable.Repeat(inboxes[0], AloneCount).ToList(), "alone", ct);
                var loaded = await CreateDraftsAsync(api, inboxes.SelectMany(inbox => Enumerable.Repeat(inbox, DraftsPerClient)).ToList(), "load", ct);

                await TimeAsync(Split(warmup, Math.Min(CreateConcurrency, inboxes.Count)), d => GetAsync(api, d, ct));
                run.Add(await TimeAsync(Split(warmup, Math.Min(CreateConcurrency, inboxes.Count)), d => SendAsync(api, d, ct)));

                var aloneGets = await TimeAsync([alone], d => GetAsync(api, d, ct));
                var aloneSends = await TimeAsync([alone], d => SendAsync(api, d, ct));
                run.Add(aloneSends);

                var perAgent = loaded.GroupBy(d => d.Inbox).Select(g => (IReadOnlyList<SentDraft>)g.ToList()).ToList();
                // One untimed request per agent, all at once, so each has its connection open before the clock starts.
                await TimeAsync(perAgent.Select(list => (IReadOnlyList<SentDraft>)[list[0]]).ToList(), d => GetAsync(api, d, ct));
                var serverBefore = CpuWatch.ProcessCpuTime(server.ProcessId);
                var loadGets = await TimeAsync(perAgent, d => GetAsync(api, d, ct));
                var serverBetween = CpuWatch.ProcessCpuTime(server.ProcessId);
                var loadSends = await TimeAsync(perAgent, d => SendAsync(api, d, ct));
                var serverAfter = CpuWatch.ProcessCpuTime(server.ProcessId);
                run.Add(loadSends);

                ReportLatency(name, "alone", "send", $"{title}: send alone (1 agent), ", aloneSends, goal: true);
                ReportLatency(name, "alone", "get", $"{title}: GET draft alone (baseline), ", aloneGets, goal: false);
                ReportLatency(name, "load", "send", $"{title}: send, {Clients} agents at once, ", loadSends, goal: true);
                ReportLatency(name, "load", "get", $"{title}: GET draft, {Clients} agents at once (baseline), ", loadGets, goal: false);
                report.Add(new Figure($"send.{name}.load.sends_per_s", "send", $"{title}: sends/s with {Clients} agents at once", loadSends.Count / loadSends.Seconds, "/s", null, null,
                    $"{loadSends.Count:#,0} in {loadSends.Seconds:0.00} s"));
                report.Add(new Figure($"send.{name}.load.gets_per_s", "send", $"{title}: GETs/s with {Clients} agents at once (baseline)", loadGets.Count / loadGets.Seconds, "/s", null, null));
                if (serverBefore is { } before && serverBetween is { } between && serverAfter is { } after)
                {
                    report.Add(new Figure($"send.{name}.server_cpu_ms_per_send", "send", $"{title}: server CPU time per send (under load)", (after - between).TotalMilliseconds / loadSends.Count, "ms", null, null));
                    report.Add(new Figure($"send.{name}.server_cpu_ms_per_get", "send", $"{title}: server CPU time per GET (under load)", (between - before).TotalMilliseconds / loadGets.Count, "ms", null, null));
                }

                if (aloneGets.Failures + loadGets.Failures > 0)
                {
                    report.Note($"{title}: {aloneGets.Failures + loadGets.Failures} baseline GETs were not answered 200 ({aloneGets.FirstError ?? loadGets.FirstError}); the baseline is not a plain read");
                }
            }

            // The server has stopped: what it recorded is final.
            Verify(name, title, db, run, sink);
        }
        finally
        {
            if (sink is not null)
            {
                await sink.DisposeAsync();
            }
        }
    }

    private void ReportLatency(string name, string load, string request, string label, Timed timed, bool goal)
    {
        var p50 = Stats.Percentile(timed.Latencies, 50);
        var key = $"send.{name}.{load}.{request}";
        report.Add(new Figure($"{key}.p50_ms", "send", label + "p50", p50, "ms", goal ? $"≤ {SendP50GoalMs:0} ms" : null, goal ? p50 <= SendP50GoalMs : null,
            $"{timed.Count:#,0} requests"));
        report.Add(new Figure($"{key}.p95_ms", "send", label + "p95", Stats.Percentile(timed.Latencies, 95), "ms", null, null));
        report.Add(new Figure($"{key}.p99_ms", "send", label + "p99", Stats.Percentile(timed.Latencies, 99), "ms", null, null));
        report.Add(new Figure($"{key}.max_ms", "send", label + "max", timed.Latencies.Count == 0 ? double.NaN : timed.Latencies.Max(), "ms", null, null));
    }

    /// <summary>Every send answered 200, and each draft became exactly one message: in the store, and at the SMTP server.</summary>
    private void Verify(string name, string title, string db, Run run, SmtpSinkProcess? sink)
    {
        var sent = run.Drafts.Count;
        report.Add(new Figure($"send.{name}.not_200", "send", $"{title}: sends not answered 200 (of {sent:#,0}, warm-up included)", run.Failures, "count", "= 0", run.Failures == 0, run.FirstError));

        using var connection = QueryPlans.OpenReadOnly(db);
        var byDraft = new Dictionary<string, int>(sent);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT DraftId FROM messages";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var draftId = reader.GetString(0);
                byDraft[draftId] = byDraft.GetValueOrDefault(draftId) + 1;
            }
        }

        var messages = byDraft.Values.Sum();
        var withoutMessage = run.Drafts.Count(d => !byDraft.ContainsKey(d.DraftId));
        var duplicates = byDraft.Values.Sum(n => n - 1);
        var draftsLeft = StoreSeeder.Scalar(connection, "SELECT COUNT(*) FROM drafts");
        report.Add(new Figure($"send.{name}.messages", "send", $"{title}: messages in the store", messages, "count", $"= {sent:#,0}", messages == sent));
        report.Add(new Figure($"send.{name}.drafts_without_message", "send", $"{title}: sent drafts with no message", withoutMessage, "count", "= 0", withoutMessage == 0));
        report.Add(new Figure($"send.{name}.duplicate_messages", "send", $"{title}: messages beyond one per draft", duplicates, "count", "= 0", duplicates == 0));
        report.Add(new Figure($"send.{name}.drafts_left", "send", $"{title}: drafts left in the store (sending, failed or unsent)", draftsLeft, "count", "= 0", draftsLeft == 0));
        if (sink is null)
        {
            var outbox = StoreSeeder.Scalar(connection, "SELECT COUNT(*) FROM outbox");
            var distinct = StoreSeeder.Scalar(connection, "SELECT COUNT(DISTINCT MessageId) FROM outbox");
            report.Add(new Figure($"send.{name}.outbox_rows", "send", $"{title}: outbox rows (distinct Message-IDs: {distinct:#,0})", outbox, "count", $"= {sent:#,0}", outbox == sent && distinct == sent));
            return;
        }

        var received = sink.ReceivedMessageIds().Where(id => !id.EndsWith($"@{SmtpSinkProcess.ProbeDomain}", StringComparison.Ordinal)).ToList();
        var answered = run.Drafts.Select(d => d.MessageId?.Trim('<', '>')).ToHashSet(StringComparer.Ordinal);
        var receivedDistinct = received.ToHashSet(StringComparer.Ordinal);
        var notReceived = answered.Count(id => id is null || !receivedDistinct.Contains(id));
        report.Add(new Figure($"send.{name}.sink_messages", "send", $"{title}: messages the SMTP server received", received.Count, "count", $"= {sent:#,0}", received.Count == sent));
        report.Add(new Figure($"send.{name}.sink_duplicates", "send", $"{title}: messages the SMTP server received more than once", received.Count - receivedDistinct.Count, "count", "= 0",
            received.Count == receivedDistinct.Count));
        report.Add(new Figure($"send.{name}.sink_missing", "send", $"{title}: answered Message-IDs the SMTP server never received", notReceived, "count", "= 0", notReceived == 0));
    }

    private async Task<List<string>> CreateInboxesAsync(ApiClient api, CancellationToken ct)
    {
        var inboxes = new List<string>(Clients);
        for (var i = 1; i <= Clients; i++)
        {
            var (status, body, _) = await api.PostAsync("/v0/inboxes", new Dictionary<string, object?> { ["username"] = $"send-agent-{i:000}" }, ct);
            if (status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"POST /v0/inboxes answered {(int)status}: {body}");
            }

            using var json = JsonDocument.Parse(body);
            inboxes.Add(json.RootElement.GetProperty("inbox_id").GetString()!);
        }

        return inboxes;
    }

    private static async Task<List<SentDraft>> CreateDraftsAsync(ApiClient api, List<string> inboxes, string phase, CancellationToken ct)
    {
        var drafts = new SentDraft[inboxes.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, inboxes.Count), new ParallelOptions { MaxDegreeOfParallelism = CreateConcurrency, CancellationToken = ct }, async (n, token) =>
        {
            var (status, text, _) = await api.PostAsync($"/v0/inboxes/{Uri.EscapeDataString(inboxes[n])}/drafts", new Dictionary<string, object?>
            {
                ["to"] = new[] { $"customer-{n}@example.com" },
                ["subject"] = $"Your order #{100_000 + n} ({phase})",
                ["text"] = $"Hello, your order #{100_000 + n} ships today. Tracking follows in a separate email.",
            }, token);
            if (status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"creating a draft answered {(int)status}: {text}");
            }

            using var json = JsonDocument.Parse(text);
            drafts[n] = new SentDraft(inboxes[n], json.RootElement.GetProperty("draft_id").GetString()!);
        });
        return [.. drafts];
    }

    private static async Task<(HttpStatusCode Status, double Milliseconds, string? Error)> GetAsync(ApiClient api, SentDraft draft, CancellationToken ct)
    {
        var (status, _, ms) = await api.TimeGetAsync($"/v0/inboxes/{Uri.EscapeDataString(draft.Inbox)}/drafts/{draft.DraftId}", ct);
        return (status, ms, status == HttpStatusCode.OK ? null : $"GET answered {(int)status}");
    }

    private static async Task<(HttpStatusCode Status, double Milliseconds, string? Error)> SendAsync(ApiClient api, SentDraft draft, CancellationToken ct)
    {
        var (status, text, ms) = await api.PostAsync($"/v0/inboxes/{Uri.EscapeDataString(draft.Inbox)}/drafts/{draft.DraftId}/send", EmptyBody, ct);
        if (status != HttpStatusCode.OK)
        {
            return (status, ms, $"{(int)status} {text}");
        }

        // Read after the clock stopped: the answer's Message-ID is what the SMTP server must have received.
        using var json = JsonDocument.Parse(text);
        draft.MessageId = json.RootElement.GetProperty("message_id").GetString();
        return (status, ms, null);
    }

    /// <summary>
    /// Each list is one agent making its requests one after another; all agents start together. Latency is each
    /// request end to end, body read.
    /// </summary>
    private static async Task<Timed> TimeAsync(
        IReadOnlyList<IReadOnlyList<SentDraft>> agents,
        Func<SentDraft, Task<(HttpStatusCode Status, double Milliseconds, string? Error)>> request)
    {
        var timed = new Timed([.. agents.SelectMany(a => a)]);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = agents.Select(async drafts =>
        {
            await go.Task;
            foreach (var draft in drafts)
            {
                var (status, ms, error) = await request(draft);
                timed.Record(ms, status, error);
            }
        }).ToList();
        var clock = Stopwatch.StartNew();
        go.SetResult();
        await Task.WhenAll(running);
        timed.Seconds = clock.Elapsed.TotalSeconds;
        return timed;
    }

    private static List<IReadOnlyList<SentDraft>> Split(List<SentDraft> drafts, int agents) =>
        drafts.Select((d, i) => (d, i)).GroupBy(x => x.i % agents).Select(g => (IReadOnlyList<SentDraft>)g.Select(x => x.d).ToList()).ToList();

    /// <summary>
    /// What one group-commit round costs on this disk: append a WAL-frame-sized block to a file in the store's folder
    /// and fsync it, as <c>WalGroupCommit</c> flushes the log.
    /// </summary>
    private static double MeasureFlush(string folder, int rounds)
    {
        var path = Path.Combine(folder, "flush-probe.bin");
        var block = new byte[4096];
        var samples = new List<double>(rounds);
        using (var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None))
        {
            for (var i = 0; i < rounds + 10; i++)
            {
                var clock = Stopwatch.StartNew();
                file.Write(block);
                file.Flush(flushToDisk: true);
                if (i >= 10)
                {
                    samples.Add(clock.Elapsed.TotalMilliseconds);
                }
            }
        }

        File.Delete(path);
        return Stats.Percentile(samples, 50);
    }

    private sealed class SentDraft(string inbox, string draftId)
    {
        public string Inbox { get; } = inbox;

        public string DraftId { get; } = draftId;

        public string? MessageId { get; set; }
    }

    private sealed class Timed(List<SentDraft> drafts)
    {
        public List<SentDraft> Drafts { get; } = drafts;

        public List<double> Latencies { get; } = new(drafts.Count);

        public int Count => Latencies.Count;

        public int Failures { get; private set; }

        public string? FirstError { get; private set; }

        public double Seconds { get; set; }

        public void Record(double ms, HttpStatusCode status, string? error)
        {
            lock (Latencies)
            {
                Latencies.Add(ms);
                if (status != HttpStatusCode.OK)
                {
                    Failures++;
                    FirstError ??= error;
                }
            }
        }
    }

    /// <summary>Every send of one server's run, warm-up included: each must have become exactly one message.</summary>
    private sealed class Run
    {
        public List<SentDraft> Drafts { get; } = [];

        public int Failures { get; private set; }

        public string? FirstError { get; private set; }

        public void Add(Timed sends)
        {
            Drafts.AddRange(sends.Drafts);
            Failures += sends.Failures;
            FirstError ??= sends.FirstError;
        }
    }
}
