using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace AgentMail.Review.Bench;

/// <summary>
/// The same three figures on each store, in one run, so each PostgreSQL figure stands next to SQLite's measured
/// moments before on the same machine: API creates/s with 16 agents, the list's latency on the largest store, and the
/// drain of a burst of drafts due in one second — on PostgreSQL with one instance and with two sharing the store.
/// </summary>
public sealed class StoresScenario(BenchOptions options, BenchReport report, string workFolder, string apiKey)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var server = options.PostgresServer
            ?? throw new InvalidOperationException("the stores scenario needs a PostgreSQL server: --postgres \"Host=...;Username=...;Password=...\" or REVIEW_TEST_POSTGRES");
        Console.WriteLine();
        Console.WriteLine($"== stores: SQLite and PostgreSQL ({new NpgsqlConnectionStringBuilder(server).Host}:{new NpgsqlConnectionStringBuilder(server).Port}), the same work on each");

        var size = options.Sizes.Max();
        foreach (var store in new Store[] { new SqliteStore(workFolder), new PostgresStore(workFolder, server) })
        {
            await CreatesAsync(store, ct);
            await LatenessAsync(store, ct);
            await ListAsync(store, size, ct);
            await BurstAsync(store, instances: 1, ct);
            if (store is PostgresStore)
            {
                await BurstAsync(store, instances: 2, ct);
            }
        }
    }

    private async Task CreatesAsync(Store store, CancellationToken ct)
    {
        var database = await store.NewAsync("create");
        await using var server = await StartAsync(database, ct);
        using var api = new ApiClient(server.BaseUrl, apiKey, connections: options.Clients * 2);
        var inboxes = await ScheduledScenario.CreateInboxesAsync(api, options.Clients, ct);
        await ScheduledScenario.CreateAsync(api, inboxes, Math.Min(5_000, options.CreateCount / 2), sendAt: null, ct);
        var timed = await ScheduledScenario.CreateAsync(api, inboxes, options.CreateCount, sendAt: null, ct);
        var key = $"stores.{store.Key}.create";
        report.Add(new Figure($"{key}.per_s", "stores", $"{store.Label}: API creates/s, {options.Clients} agents", timed.Created.Count / timed.Seconds, "/s", null, null,
            $"{timed.Created.Count:#,0} creates in {timed.Seconds:0.0} s; {timed.Rejected} refused"));
        report.Add(new Figure($"{key}.p95_ms", "stores", $"{store.Label}: API create latency, p95", Stats.Percentile(timed.Latencies, 95), "ms", null, null));
    }

    /// <summary>
    /// Drafts due one after another, as agents schedule them through a day: how late each leaves. On PostgreSQL also
    /// what the schedule's polling costs the database while nothing is due: its transactions per second.
    /// </summary>
    private async Task LatenessAsync(Store store, CancellationToken ct)
    {
        var count = options.Quick ? 40 : 200;
        var window = TimeSpan.FromSeconds(options.Quick ? 5 : 20);
        var database = await store.NewAsync("lateness");
        var due = new Dictionary<string, DateTime>(count);
        await using (var server = await StartAsync(database, ct, new Dictionary<string, string> { ["Delivery__Transport"] = "Outbox" }))
        {
            using var api = new ApiClient(server.BaseUrl, apiKey);
            var inbox = (await ScheduledScenario.CreateInboxesAsync(api, 1, ct))[0];
            if (store.IdleTransactionsSql is { } idleSql)
            {
                await Task.Delay(TimeSpan.FromSeconds(3), ct);
                var before = await store.CountAsync(database, idleSql);
                var idle = TimeSpan.FromSeconds(options.Quick ? 5 : 15);
                await Task.Delay(idle, ct);
                var after = await store.CountAsync(database, idleSql);
                // The count's own query is one transaction of the difference.
                report.Add(new Figure($"stores.{store.Key}.idle_transactions_per_s", "stores", $"{store.Label}: database transactions/s of one idle instance (schedule polling, heartbeats)",
                    (after - before - 1) / idle.TotalSeconds, "/s", null, null, "Review:Scheduling:PollingInterval 200 ms"));
            }

            var first = DateTime.UtcNow.AddSeconds(options.Quick ? 4 : 8);
            for (var i = 0; i < count; i++)
            {
                var sendAt = first + window / count * i + TimeSpan.FromMilliseconds(i * 37 % 1000);
                sendAt = new DateTime(sendAt.Ticks - sendAt.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
                var (status, text, _) = await api.PostAsync($"/v0/inboxes/{Uri.EscapeDataString(inbox)}/drafts", new Dictionary<string, object?>
                {
                    ["to"] = new[] { "customer@example.com" },
                    ["subject"] = $"Reminder {i}",
                    ["text"] = "Your appointment is tomorrow at 10:00.",
                    ["send_at"] = sendAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                }, ct);
                if (status != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"POST draft answered {(int)status}: {text}");
                }

                using var json = System.Text.Json.JsonDocument.Parse(text);
                due[json.RootElement.GetProperty("draft_id").GetString()!] = sendAt;
            }

            var settle = due.Values.Max() - DateTime.UtcNow + TimeSpan.FromSeconds(3);
            if (settle > TimeSpan.Zero)
            {
                await Task.Delay(settle, ct);
            }
        }

        var lateness = (await store.SentAtAsync(database))
            .Where(m => due.ContainsKey(m.DraftId))
            .Select(m => (m.Timestamp - due[m.DraftId]).TotalMilliseconds)
            .ToList();
        var p99 = Stats.Percentile(lateness, 99);
        report.Add(new Figure($"stores.{store.Key}.lateness.p50_ms", "stores", $"{store.Label}: steady scheduled sends, lateness p50", Stats.Percentile(lateness, 50), "ms", null, null));
        report.Add(new Figure($"stores.{store.Key}.lateness.p99_ms", "stores", $"{store.Label}: steady scheduled sends, lateness p99", p99, "ms",
            $"≤ {LatenessScenario.LatenessGoalSeconds * 1000:0} ms", p99 <= LatenessScenario.LatenessGoalSeconds * 1000, $"{lateness.Count} of {count} sent"));
    }

    private async Task ListAsync(Store store, int size, CancellationToken ct)
    {
        var database = await store.NewAsync($"list{size}");
        await using (await StartAsync(database, ct))
        {
            // The server makes the schema; the seeder fills it with the server stopped.
        }

        var seeded = await store.SeedAsync(database, size);
        Console.WriteLine($"  {store.Label}: seeded {size:#,0} drafts in {seeded.TotalSeconds:0.0} s");
        await using var server = await StartAsync(database, ct);
        using var api = new ApiClient(server.BaseUrl, apiKey, connections: 2);
        var label = size.ToString("#,0", CultureInfo.InvariantCulture);
        foreach (var (kind, who, filter) in ListScenario.Kinds)
        {
            var times = await TimeAsync(api, $"/v0/drafts?limit={ListScenario.PageSize}{filter}", ct);
            var key = $"stores.{store.Key}.list_{size}.{kind}";
            report.Add(new Figure($"{key}.p50_ms", "stores", $"{store.Label}: {label} drafts, {who}, page 1, p50", Stats.Percentile(times, 50), "ms", null, null));
            var p95 = Stats.Percentile(times, 95);
            report.Add(new Figure($"{key}.p95_ms", "stores", $"{store.Label}: {label} drafts, {who}, page 1, p95", p95, "ms",
                $"≤ {ListScenario.LatencyGoalMs:0} ms", p95 <= ListScenario.LatencyGoalMs));
        }
    }

    private async Task BurstAsync(Store store, int instances, CancellationToken ct)
    {
        var count = options.ScheduledCount;
        var database = await store.NewAsync($"burst{instances}");
        var environment = new Dictionary<string, string> { ["Delivery__Transport"] = "Outbox" };
        var servers = new List<ServerLauncher>();
        try
        {
            for (var i = 0; i < instances; i++)
            {
                servers.Add(await StartAsync(database, ct, environment, suffix: i == 0 ? "" : $"-{i}"));
            }

            using var api = new ApiClient(servers[0].BaseUrl, apiKey, connections: options.Clients * 2);
            var inboxes = await ScheduledScenario.CreateInboxesAsync(api, options.Clients, ct);
            var calibration = await ScheduledScenario.CreateAsync(api, inboxes, Math.Clamp(count / 20, 50, 400), sendAt: null, ct);
            var rate = calibration.Created.Count / calibration.Seconds;
            var sendAt = ScheduledScenario.WholeSecond(DateTime.UtcNow + TimeSpan.FromSeconds(count / rate * 1.5) + TimeSpan.FromSeconds(options.Quick ? 3 : 5))
                .AddMilliseconds(options.SendAtOffsetMs);
            var created = await ScheduledScenario.CreateAsync(api, inboxes, count, sendAt, ct);
            var headroom = sendAt - DateTime.UtcNow;
            if (headroom > TimeSpan.Zero)
            {
                await Task.Delay(headroom, ct);
            }

            var limit = options.Quick ? TimeSpan.FromSeconds(60) : TimeSpan.FromMinutes(5);
            long sent = 0;
            TimeSpan? drained = null;
            while (DateTime.UtcNow - sendAt < limit)
            {
                sent = await store.CountAsync(database, "SELECT COUNT(*) FROM messages");
                if (sent >= created.Created.Count)
                {
                    drained = DateTime.UtcNow - sendAt;
                    break;
                }

                await Task.Delay(100, ct);
            }

            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            var outbox = await store.CountAsync(database, "SELECT COUNT(*) FROM outbox");
            var distinct = await store.CountAsync(database, "SELECT COUNT(DISTINCT \"DraftId\") FROM messages");
            var who = instances == 1 ? store.Label : $"{store.Label}, {instances} instances";
            var key = $"stores.{store.Key}.burst_{count}.instances_{instances}";
            report.Add(new Figure($"{key}.drain_s", "stores", $"{who}: {created.Created.Count:#,0} due in one second, send_at → all sent", drained?.TotalSeconds ?? double.NaN, "s",
                "≤ 10 s", drained is { } d && d.TotalSeconds <= 10, drained is null ? $"only {sent:#,0} after {limit.TotalSeconds:0} s" : $"created at {created.Created.Count / created.Seconds:0}/s"));
            report.Add(new Figure($"{key}.duplicates", "stores", $"{who}: messages beyond one per draft", outbox - distinct, "count", "= 0", outbox == distinct,
                $"{outbox:#,0} in the outbox for {distinct:#,0} drafts"));
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    private Task<ServerLauncher> StartAsync(Database database, CancellationToken ct, IReadOnlyDictionary<string, string>? extra = null, string suffix = "")
    {
        var environment = new Dictionary<string, string>(options.ServerEnvironment);
        foreach (var (name, value) in database.Environment.Concat(extra ?? new Dictionary<string, string>()))
        {
            environment[name] = value;
        }

        // The log file and working folder are per instance; the SQLite file, when there is one, is the store.
        var folder = Directory.CreateDirectory(Path.GetDirectoryName(database.Path)! + suffix).FullName;
        return ServerLauncher.StartAsync(options.ServerDll, suffix == "" ? database.Path : Path.Combine(folder, "unused.db"), apiKey, environment, TimeSpan.FromMinutes(2), ct);
    }

    private async Task<List<double>> TimeAsync(ApiClient api, string path, CancellationToken ct)
    {
        for (var i = 0; i < options.WarmupRequests; i++)
        {
            await api.TimeGetAsync(path, ct);
        }

        var times = new List<double>(options.Requests);
        for (var i = 0; i < options.Requests; i++)
        {
            var (status, _, ms) = await api.TimeGetAsync(path, ct);
            if (status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET {path} answered {(int)status}");
            }

            times.Add(ms);
        }

        return times;
    }

    /// <summary>A database for one measurement: where its server runs from, and the settings that point it there.</summary>
    private sealed record Database(string Name, string Path, IReadOnlyDictionary<string, string> Environment);

    private abstract class Store(string key, string label)
    {
        public string Key => key;

        public string Label => label;

        public abstract Task<Database> NewAsync(string name);

        public abstract Task<TimeSpan> SeedAsync(Database database, int drafts);

        public abstract Task<long> CountAsync(Database database, string sql);

        /// <summary>Each message's draft and timestamp.</summary>
        public abstract Task<List<(string DraftId, DateTime Timestamp)>> SentAtAsync(Database database);

        /// <summary>The database's transaction counter, where it keeps one.</summary>
        public virtual string? IdleTransactionsSql => null;
    }

    private sealed class SqliteStore(string workFolder) : Store("sqlite", "SQLite")
    {
        public override Task<Database> NewAsync(string name)
        {
            var folder = Directory.CreateDirectory(System.IO.Path.Combine(workFolder, $"stores-sqlite-{name}")).FullName;
            return Task.FromResult(new Database(name, System.IO.Path.Combine(folder, "review.db"), new Dictionary<string, string>()));
        }

        public override Task<TimeSpan> SeedAsync(Database database, int drafts) => Task.FromResult(StoreSeeder.Seed(database.Path, drafts, DateTime.UtcNow).Took);

        public override async Task<long> CountAsync(Database database, string sql)
        {
            await using var connection = new SqliteConnection($"Data Source={database.Path};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            return StoreSeeder.Scalar(connection, sql);
        }

        public override async Task<List<(string DraftId, DateTime Timestamp)>> SentAtAsync(Database database)
        {
            await using var connection = new SqliteConnection($"Data Source={database.Path};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT DraftId, Timestamp FROM messages WHERE DraftId IS NOT NULL";
            var sent = new List<(string, DateTime)>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                sent.Add((reader.GetString(0), new DateTime(reader.GetInt64(1), DateTimeKind.Utc)));
            }

            return sent;
        }
    }

    private sealed class PostgresStore(string workFolder, string server) : Store("postgres", "PostgreSQL")
    {
        private readonly string _run = $"amr_bench_{Environment.ProcessId}";

        public override async Task<Database> NewAsync(string name)
        {
            var database = $"{_run}_{name}";
            await ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS {database}");
            await ExecuteAsync("postgres", $"CREATE DATABASE {database}");
            var folder = Directory.CreateDirectory(System.IO.Path.Combine(workFolder, $"stores-postgres-{name}")).FullName;
            return new Database(database, System.IO.Path.Combine(folder, "unused.db"), new Dictionary<string, string>
            {
                ["Review__Store__Provider"] = "Postgres",
                ["Review__Store__MigrateOnStart"] = "true",
                ["ConnectionStrings__Review"] = ConnectionString(database),
            });
        }

        /// <summary>The same rows as SQLite's seeder, by binary COPY; the search vectors are left to an index build after.</summary>
        public override async Task<TimeSpan> SeedAsync(Database database, int drafts)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var now = DateTime.UtcNow;
            var inboxes = Enumerable.Range(0, StoreSeeder.InboxCount).Select(StoreSeeder.InboxName).ToArray();
            await using var connection = new NpgsqlConnection(ConnectionString(database.Name));
            await connection.OpenAsync();
            await using (var inboxCopy = await connection.BeginBinaryImportAsync(
                             "COPY inboxes (\"InboxId\", \"DisplayName\", \"ReviewRequired\", \"OnReply\", \"CreatedAt\", \"UpdatedAt\") FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = 0; i < inboxes.Length; i++)
                {
                    await inboxCopy.WriteRowAsync(default, inboxes[i], $"Bench agent {i + 1}", false, "Hold", now.AddDays(-60).Ticks, now.AddDays(-60).Ticks);
                }

                await inboxCopy.CompleteAsync();
            }

            // Seeded rows skip the search trigger (it would make the seeding the longest part of the run); the list
            // measured here does not search.
            await using (var disable = new NpgsqlCommand("ALTER TABLE drafts DISABLE TRIGGER drafts_search", connection))
            {
                await disable.ExecuteNonQueryAsync();
            }

            await using (var copy = await connection.BeginBinaryImportAsync(
                             "COPY drafts (\"DraftId\", \"InboxId\", \"To\", \"Cc\", \"Bcc\", \"ReplyTo\", \"Labels\", \"Subject\", \"Text\", \"Preview\", \"References\", " +
                             "\"ThreadId\", \"SendAt\", \"State\", \"FailureReason\", \"AgentMaySend\", \"DeliveryAttempts\", \"CreatedAt\", \"UpdatedAt\", \"Version\", \"Attachments\") FROM STDIN (FORMAT BINARY)"))
            {
                string[] none = [];
                foreach (var draft in StoreSeeder.Rows(inboxes, drafts, now, new StoreSeeder.SeedCounts()))
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(draft.DraftId, NpgsqlDbType.Text);
                    await copy.WriteAsync(draft.InboxId, NpgsqlDbType.Text);
                    await copy.WriteAsync(draft.To, NpgsqlDbType.Array | NpgsqlDbType.Text);
                    await copy.WriteAsync(none, NpgsqlDbType.Array | NpgsqlDbType.Text);
                    await copy.WriteAsync(none, NpgsqlDbType.Array | NpgsqlDbType.Text);
                    await copy.WriteAsync(none, NpgsqlDbType.Array | NpgsqlDbType.Text);
                    await copy.WriteAsync(draft.Labels, NpgsqlDbType.Array | NpgsqlDbType.Text);
                    await copy.WriteAsync(draft.Subject, NpgsqlDbType.Text);
                    await copy.WriteAsync(draft.Text, NpgsqlDbType.Text);
                    await copy.WriteAsync(draft.Preview, NpgsqlDbType.Text);
                    await copy.WriteAsync(none, NpgsqlDbType.Array | NpgsqlDbType.Text);
                    await copy.WriteAsync(draft.ThreadId, NpgsqlDbType.Text);
                    if (draft.SendAt is { } sendAt)
                    {
                        await copy.WriteAsync(sendAt.Ticks, NpgsqlDbType.Bigint);
                    }
                    else
                    {
                        await copy.WriteNullAsync();
                    }

                    await copy.WriteAsync(draft.State, NpgsqlDbType.Varchar);
                    if (draft.FailureReason is { } reason)
                    {
                        await copy.WriteAsync(reason, NpgsqlDbType.Text);
                    }
                    else
                    {
                        await copy.WriteNullAsync();
                    }

                    await copy.WriteAsync(false, NpgsqlDbType.Boolean);
                    await copy.WriteAsync(0, NpgsqlDbType.Integer);
                    await copy.WriteAsync(draft.CreatedAt.Ticks, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(draft.UpdatedAt.Ticks, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(1L, NpgsqlDbType.Bigint);
                    await copy.WriteAsync("[]", NpgsqlDbType.Jsonb);
                }

                await copy.CompleteAsync();
            }

            await using (var enable = new NpgsqlCommand("ALTER TABLE drafts ENABLE TRIGGER drafts_search; ANALYZE;", connection))
            {
                await enable.ExecuteNonQueryAsync();
            }

            return clock.Elapsed;
        }

        public override async Task<long> CountAsync(Database database, string sql)
        {
            await using var connection = new NpgsqlConnection(ConnectionString(database.Name));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        public override async Task<List<(string DraftId, DateTime Timestamp)>> SentAtAsync(Database database)
        {
            await using var connection = new NpgsqlConnection(ConnectionString(database.Name));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT \"DraftId\", \"Timestamp\" FROM messages WHERE \"DraftId\" IS NOT NULL", connection);
            var sent = new List<(string, DateTime)>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                sent.Add((reader.GetString(0), new DateTime(reader.GetInt64(1), DateTimeKind.Utc)));
            }

            return sent;
        }

        public override string IdleTransactionsSql => "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()";

        private string ConnectionString(string database) => new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;

        private async Task ExecuteAsync(string database, string sql)
        {
            await using var connection = new NpgsqlConnection(ConnectionString(database));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
