using System.Globalization;
using System.Net;
using System.Text.Json;

namespace AgentMail.Review.Bench;

/// <summary>
/// Scheduled sends at a steady pace, each draft due at its own moment, as agents schedule them through a day: how
/// late each one leaves against its own send_at. The burst of many drafts due in one second is
/// <see cref="ScheduledScenario"/>'s.
/// </summary>
public sealed class LatenessScenario(BenchOptions options, BenchReport report, string workFolder, string apiKey)
{
    public const double LatenessGoalSeconds = 1;

    public async Task RunAsync(CancellationToken ct)
    {
        var count = options.Quick ? 60 : 400;
        var window = TimeSpan.FromSeconds(options.Quick ? 6 : 40);
        Console.WriteLine();
        Console.WriteLine($"== lateness: {count} drafts due one after another over {window.TotalSeconds:0} s ({count / window.TotalSeconds:0.#}/s), Outbox transport");

        var folder = Directory.CreateDirectory(Path.Combine(workFolder, "lateness")).FullName;
        var db = Path.Combine(folder, "review.db");
        var environment = new Dictionary<string, string>(options.ServerEnvironment);
        environment.TryAdd("Delivery__Transport", "Outbox");

        var due = new Dictionary<string, DateTime>(count);
        await using (var server = await ServerLauncher.StartAsync(options.ServerDll, db, apiKey, environment, TimeSpan.FromMinutes(1), ct))
        {
            using var api = new ApiClient(server.BaseUrl, apiKey);
            var (status, body, _) = await api.PostAsync("/v0/inboxes", new Dictionary<string, object?> { ["username"] = "steady-agent" }, ct);
            if (status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"POST /v0/inboxes answered {(int)status}: {body}");
            }

            using var inboxJson = JsonDocument.Parse(body);
            var inbox = inboxJson.RootElement.GetProperty("inbox_id").GetString()!;

            // One unmeasured send first: the first delivery in a process pays for compiling the whole send path.
            await ScheduleAsync(api, inbox, "warm-up", DateTime.UtcNow.AddSeconds(2), ct);

            // Send times at odd milliseconds, as "now + an hour" lands anywhere in a second.
            var first = DateTime.UtcNow.AddSeconds(options.Quick ? 5 : 10);
            var spacing = window / count;
            for (var i = 0; i < count; i++)
            {
                var sendAt = first + spacing * i + TimeSpan.FromMilliseconds(i * 37 % 1000);
                sendAt = new DateTime(sendAt.Ticks - sendAt.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
                due[await ScheduleAsync(api, inbox, $"Reminder {i}", sendAt, ct)] = sendAt;
            }

            var last = due.Values.Max();
            var settle = last - DateTime.UtcNow + TimeSpan.FromSeconds(3);
            if (settle > TimeSpan.Zero)
            {
                await Task.Delay(settle, ct);
            }
        }

        using var connection = QueryPlans.OpenReadOnly(db);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT DraftId, Timestamp FROM messages";
        var lateness = new List<double>(count);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (due.TryGetValue(reader.GetString(0), out var sendAt))
                {
                    lateness.Add((reader.GetInt64(1) - sendAt.Ticks) / (double)TimeSpan.TicksPerMillisecond);
                }
            }
        }

        var p99 = Stats.Percentile(lateness, 99);
        report.Add(new Figure("lateness.p50_ms", "lateness", "steady scheduled sends: lateness (message timestamp − send_at), p50", Stats.Percentile(lateness, 50), "ms", null, null));
        report.Add(new Figure("lateness.p99_ms", "lateness", "steady scheduled sends: lateness, p99", p99, "ms", $"≤ {LatenessGoalSeconds * 1000:0} ms", p99 <= LatenessGoalSeconds * 1000));
        report.Add(new Figure("lateness.max_ms", "lateness", "steady scheduled sends: lateness, max", lateness.Count == 0 ? double.NaN : lateness.Max(), "ms", null, null));
        report.Add(new Figure("lateness.early", "lateness", "sent before their send_at", lateness.Count(l => l < 0), "count", "= 0", lateness.All(l => l >= 0)));
        report.Add(new Figure("lateness.sent", "lateness", "sent by the end of the window", lateness.Count, "count", $"= {count}", lateness.Count == count));
    }

    private static async Task<string> ScheduleAsync(ApiClient api, string inbox, string subject, DateTime sendAt, CancellationToken ct)
    {
        var (status, text, _) = await api.PostAsync($"/v0/inboxes/{Uri.EscapeDataString(inbox)}/drafts", new Dictionary<string, object?>
        {
            ["to"] = new[] { "customer@example.com" },
            ["subject"] = subject,
            ["text"] = "Your appointment is tomorrow at 10:00.",
            ["send_at"] = sendAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        }, ct);
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"creating a scheduled draft answered {(int)status}: {text}");
        }

        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("draft_id").GetString()!;
    }
}
