using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;

namespace AgentMail.Review.Bench;

/// <summary>
/// Many drafts due at the same instant: created through the API by concurrent clients with one send_at, delivered by
/// the Outbox transport. Reports how long until every one is a Message, how late each went out, and whether any was
/// sent twice or not at all.
/// </summary>
public sealed partial class ScheduledScenario(BenchOptions options, BenchReport report, string workFolder, string apiKey)
{
    public const double AllDeliveredGoalSeconds = 10;

    /// <summary>The burst's own lateness goal: the last of it may wait for the drain, so it is the drain's goal too.</summary>
    public const double BurstLatenessP99GoalSeconds = 10;

    public async Task RunAsync(CancellationToken ct)
    {
        var count = options.ScheduledCount;
        var clients = options.Clients;
        var label = count.ToString("#,0", CultureInfo.InvariantCulture);
        Console.WriteLine();
        Console.WriteLine($"== scheduled: {label} drafts created by {clients} concurrent API clients, all due at one send_at, Outbox transport");

        var folder = Directory.CreateDirectory(Path.Combine(workFolder, "scheduled")).FullName;
        var db = Path.Combine(folder, "review.db");
        var environment = new Dictionary<string, string>(options.ServerEnvironment);
        environment.TryAdd("Delivery__Transport", "Outbox");

        DateTime sendAt;
        double createSeconds;
        int rejected;
        var sweepEnqueued = 0;
        await using (var server = await ServerLauncher.StartAsync(options.ServerDll, db, apiKey, environment, TimeSpan.FromMinutes(2), ct))
        {
            server.LineReceived += line =>
            {
                if (SweepFound().Match(line) is { Success: true } found)
                {
                    Interlocked.Add(ref sweepEnqueued, int.Parse(found.Groups[1].Value, CultureInfo.InvariantCulture));
                }
            };
            using var api = new ApiClient(server.BaseUrl, apiKey, connections: clients * 2);
            var inboxes = await CreateInboxesAsync(api, clients, ct);

            // Calibration: how fast this machine creates drafts, so send_at leaves room for all of them and no more.
            var calibrationCount = Math.Clamp(count / 20, 50, 400);
            var calibration = await CreateAsync(api, inboxes, calibrationCount, sendAt: null, ct);
            var rate = calibrationCount / calibration.Seconds;
            await DeleteAsync(api, calibration.Created, ct);

            var estimate = TimeSpan.FromSeconds(count / rate);
            var margin = TimeSpan.FromSeconds(options.Quick ? 3 : 5);

            // Scheduled creates cost a little more than the calibration's plain ones, hence the 1.5. The send time is
            // a whole second plus a chosen offset: where in its second send_at falls decides whether Hangfire's
            // whole-second schedule starts the job before send_at, so the bench fixes it rather than leave it to chance.
            sendAt = WholeSecond(DateTime.UtcNow + estimate * 1.5 + margin).AddMilliseconds(options.SendAtOffsetMs);
            Console.WriteLine($"  calibration: {rate:0} creates/s; send_at = {sendAt:HH:mm:ss.fff} UTC, now + {(sendAt - DateTime.UtcNow).TotalSeconds:0.0} s");

            var seeding = await CreateAsync(api, inboxes, count, sendAt, ct);
            createSeconds = seeding.Seconds;
            rejected = seeding.Rejected;
            var headroom = (sendAt - DateTime.UtcNow).TotalSeconds;
            Console.WriteLine($"  created {seeding.Created.Count:#,0} in {createSeconds:0.0} s; send_at is {headroom:0.0} s away");
            report.Add(new Figure("scheduled.create_throughput_per_s", "scheduled", $"API creates while seeding ({clients} clients)", seeding.Created.Count / createSeconds, "/s", null, null,
                $"{seeding.Created.Count:#,0} in {createSeconds:0.0} s"));
            report.Add(new Figure("scheduled.create_latency.p50_ms", "scheduled", "API create latency, p50", Stats.Percentile(seeding.Latencies, 50), "ms", null, null));
            report.Add(new Figure("scheduled.create_latency.p95_ms", "scheduled", "API create latency, p95", Stats.Percentile(seeding.Latencies, 95), "ms", null, null));
            if (rejected > 0)
            {
                report.Note($"{rejected} creates were refused (first: {seeding.FirstError}); the figures below count only the {seeding.Created.Count:#,0} created");
            }

            if (headroom < 0)
            {
                report.Note($"creating took longer than planned: send_at passed {-headroom:0.0} s before the last create, so sends overlapped creates");
            }

            count = seeding.Created.Count;

            // Watch the file (read-only) from send_at until every draft is a message, or time runs out.
            var observed = await WatchAsync(db, sendAt, count, ct);
            report.Add(new Figure("scheduled.all_delivered_observed_s", "scheduled", $"send_at → all {count:#,0} seen as messages (polling the file every 100 ms)",
                observed.AllSeenAfter?.TotalSeconds ?? double.NaN, "s", $"≤ {AllDeliveredGoalSeconds:0} s",
                observed.AllSeenAfter is { } seen ? seen.TotalSeconds <= AllDeliveredGoalSeconds : false,
                observed.AllSeenAfter is null ? $"only {observed.LastCount:#,0} after {observed.GaveUpAfter.TotalSeconds:0} s" : null));

            // Let anything still in flight (a second claim, a late sweep) land before counting.
            await Task.Delay(TimeSpan.FromSeconds(options.Quick ? 1 : 3), ct);
        }

        Analyse(db, sendAt, count, sweepEnqueued);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Due-sweep found (\d+) overdue")]
    private static partial System.Text.RegularExpressions.Regex SweepFound();

    private void Analyse(string db, DateTime sendAt, int created, int sweepEnqueued)
    {
        using var connection = QueryPlans.OpenReadOnly(db);
        var timestamps = new List<long>(created);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT Timestamp FROM messages";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                timestamps.Add(reader.GetInt64(0));
            }
        }

        var lateness = timestamps.Select(t => (t - sendAt.Ticks) / (double)TimeSpan.TicksPerSecond).ToList();
        var messages = timestamps.Count;
        var distinctDrafts = StoreSeeder.Scalar(connection, "SELECT COUNT(DISTINCT DraftId) FROM messages");
        var outbox = StoreSeeder.Scalar(connection, "SELECT COUNT(*) FROM outbox");
        var draftsLeft = StoreSeeder.Scalar(connection, "SELECT COUNT(*) FROM drafts");
        var failed = StoreSeeder.Scalar(connection, "SELECT COUNT(*) FROM drafts WHERE State = 'Failed'");
        var claims = StoreSeeder.Scalar(connection, "SELECT COUNT(*) FROM audit_entries WHERE Action = 'sending'");
        var sweepClaims = StoreSeeder.Scalar(connection, "SELECT COUNT(*) FROM audit_entries WHERE Action = 'sending' AND Details LIKE '%due-sweep%'");

        var last = lateness.Count == 0 ? double.NaN : lateness.Max();
        var first = lateness.Count == 0 ? double.NaN : lateness.Min();
        report.Add(new Figure("scheduled.all_delivered_s", "scheduled", $"send_at → last of {created:#,0} messages (latest message timestamp)", last, "s",
            $"≤ {AllDeliveredGoalSeconds:0} s", last <= AllDeliveredGoalSeconds && messages == created));
        report.Add(new Figure("scheduled.first_delivered_s", "scheduled", "send_at → first message", first, "s", null, null));
        report.Add(new Figure("scheduled.lateness.p50_s", "scheduled", "lateness (message timestamp − send_at), p50", Stats.Percentile(lateness, 50), "s", null, null));
        // With thousands due in one second the tail waits for the drain; steady sends have their own 1 s goal (LatenessScenario).
        var latenessP99 = Stats.Percentile(lateness, 99);
        report.Add(new Figure("scheduled.lateness.p99_s", "scheduled", "lateness, p99", latenessP99, "s",
            $"≤ {BurstLatenessP99GoalSeconds:0} s", latenessP99 <= BurstLatenessP99GoalSeconds, "the last of a burst leaves when the drain ends"));
        // Between the 1st and 99th percentile messages, so a straggler the due-sweep picks up later does not pass for a slow drain.
        var p1 = Stats.Percentile(lateness, 1);
        var p99 = Stats.Percentile(lateness, 99);
        var throughput = messages >= 100 && p99 > p1 ? 0.98 * messages / (p99 - p1) : messages > 1 && last > first ? (messages - 1) / (last - first) : double.NaN;
        report.Add(new Figure("scheduled.delivery_throughput_per_s", "scheduled", "sends/s while draining (1st → 99th percentile message)", throughput, "/s",
            $"≥ {created / AllDeliveredGoalSeconds:#,0} /s to meet {AllDeliveredGoalSeconds:0} s", throughput >= created / AllDeliveredGoalSeconds));

        report.Add(new Figure("scheduled.messages", "scheduled", "messages recorded", messages, "count", $"= {created:#,0}", messages == created));
        report.Add(new Figure("scheduled.distinct_draft_ids", "scheduled", "distinct draft ids among messages", distinctDrafts, "count", $"= {created:#,0}", distinctDrafts == created));
        report.Add(new Figure("scheduled.outbox_rows", "scheduled", "outbox rows", outbox, "count", $"= {created:#,0}", outbox == created));
        report.Add(new Figure("scheduled.drafts_left", "scheduled", "drafts left (not sent)", draftsLeft, "count", "= 0", draftsLeft == 0,
            failed > 0 ? $"{failed} failed" : null));
        report.Add(new Figure("scheduled.claims", "scheduled", "claims for sending (audit 'sending')", claims, "count", $"= {created:#,0}", claims == created));
        report.Add(new Figure("scheduled.due_sweep_claims", "scheduled", "of which claimed by the due-sweep, not the draft's own job", sweepClaims, "count", null, null));
        report.Add(new Figure("scheduled.due_sweep_enqueued", "scheduled", "extra sends the due-sweep enqueued (server log)", sweepEnqueued, "count", null, null,
            "each is a claim attempt; those whose own job won find nothing to do"));

        if (messages > 0 && p99 > AllDeliveredGoalSeconds)
        {
            report.Note(string.Create(CultureInfo.InvariantCulture,
                $"{created:#,0} due at once drained at {throughput:0} sends/s; {created / AllDeliveredGoalSeconds:0} sends/s would be needed for {AllDeliveredGoalSeconds:0} s, " +
                $"and a 1 s p99 lateness needs the backlog gone within about a second."));
        }

        if (sweepClaims > 0)
        {
            report.Note($"the due-sweep, not the drafts' own jobs, claimed {sweepClaims:#,0} of {created:#,0} drafts: their own jobs did not claim them in time " +
                        "(a job that starts even a few milliseconds before send_at is refused and leaves the draft to the sweep; at the tail of a long backlog the sweep can also come first)");
        }
    }

    private sealed record Watch(TimeSpan? AllSeenAfter, long LastCount, TimeSpan GaveUpAfter);

    private async Task<Watch> WatchAsync(string db, DateTime sendAt, int expected, CancellationToken ct)
    {
        var wait = sendAt - DateTime.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, ct);
        }

        var limit = options.Quick ? TimeSpan.FromSeconds(60) : TimeSpan.FromMinutes(5);
        long seen = 0;
        await using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(ct);
        while (DateTime.UtcNow - sendAt < limit)
        {
            seen = StoreSeeder.Scalar(connection, "SELECT COUNT(*) FROM messages");
            if (seen >= expected)
            {
                return new Watch(DateTime.UtcNow - sendAt, seen, limit);
            }

            await Task.Delay(100, ct);
        }

        return new Watch(null, seen, limit);
    }

    internal static async Task<List<string>> CreateInboxesAsync(ApiClient api, int clients, CancellationToken ct)
    {
        var inboxes = new List<string>();
        for (var i = 1; i <= clients; i++)
        {
            var (status, body, _) = await api.PostAsync("/v0/inboxes", new Dictionary<string, object?> { ["username"] = $"scheduled-agent-{i:00}", ["display_name"] = $"Scheduled agent {i}" }, ct);
            if (status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"POST /v0/inboxes answered {(int)status}: {body}");
            }

            using var json = System.Text.Json.JsonDocument.Parse(body);
            inboxes.Add(json.RootElement.GetProperty("inbox_id").GetString()!);
        }

        return inboxes;
    }

    internal sealed record Creation(List<(string Inbox, string DraftId)> Created, List<double> Latencies, double Seconds, int Rejected, string? FirstError);

    /// <summary>Each client is an agent creating drafts in its own inbox, one request after another.</summary>
    internal static async Task<Creation> CreateAsync(ApiClient api, List<string> inboxes, int count, DateTime? sendAt, CancellationToken ct)
    {
        var next = -1;
        var created = new List<(string, string)>(count);
        var latencies = new List<double>(count);
        var rejected = 0;
        string? firstError = null;
        var sendAtText = sendAt?.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(inboxes.Select(async inbox =>
        {
            while (true)
            {
                var n = Interlocked.Increment(ref next);
                if (n >= count)
                {
                    return;
                }

                var body = new Dictionary<string, object?>
                {
                    ["to"] = new[] { $"customer-{n}@example.com" },
                    ["subject"] = $"Your order #{100_000 + n}",
                    ["text"] = $"Hello, your order #{100_000 + n} ships today. Tracking follows in a separate email.",
                };
                if (sendAtText is not null)
                {
                    body["send_at"] = sendAtText;
                }

                var (status, text, ms) = await api.PostAsync($"/v0/inboxes/{Uri.EscapeDataString(inbox)}/drafts", body, ct);
                lock (created)
                {
                    latencies.Add(ms);
                    if (status == HttpStatusCode.OK)
                    {
                        using var json = System.Text.Json.JsonDocument.Parse(text);
                        created.Add((inbox, json.RootElement.GetProperty("draft_id").GetString()!));
                    }
                    else
                    {
                        rejected++;
                        firstError ??= $"{(int)status} {text}";
                    }
                }
            }
        }));
        return new Creation(created, latencies, clock.Elapsed.TotalSeconds, rejected, firstError);
    }

    private static async Task DeleteAsync(ApiClient api, List<(string Inbox, string DraftId)> drafts, CancellationToken ct)
    {
        await Parallel.ForEachAsync(drafts, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (draft, token) =>
        {
            var status = await api.DeleteAsync($"/v0/inboxes/{Uri.EscapeDataString(draft.Inbox)}/drafts/{draft.DraftId}", token);
            if (status != HttpStatusCode.NoContent)
            {
                throw new InvalidOperationException($"DELETE draft {draft.DraftId} answered {(int)status}");
            }
        });
    }

    internal static DateTime WholeSecond(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
}
