using System.Globalization;
using System.Text.Json;
using AgentMail.Review.E2E.Support;
using Xunit.Abstractions;

namespace AgentMail.Review.E2E.Benchmarks;

/// <summary>
/// The benchmark tool in quick mode, against the real server: it must finish and report every figure. How fast the
/// server is stays out of it; the tool reports, people judge.
/// </summary>
[Collection(TestStreams.Alone)]
public sealed class BenchQuickModeTests(ITestOutputHelper output)
{
    private static readonly int[] QuickSizes = [1_000, 5_000];

    private static string BenchProject => Path.Combine(ServerProcess.RepositoryRoot, "bench", "AgentMail.Review.Bench", "AgentMail.Review.Bench.csproj");

    private static string BenchDll =>
        Path.Combine(ServerProcess.RepositoryRoot, "bench", "AgentMail.Review.Bench", "bin", ServerProcess.Configuration, "net10.0", "AgentMail.Review.Bench.dll");

    [Fact]
    public async Task Quick_mode_finishes_and_reports_every_figure()
    {
        await EnsureBenchBuiltAsync();
        await PublishedServer.EnsureAsync();
        var results = Directory.CreateTempSubdirectory("agentmail-review-bench-test-");
        try
        {
            var (exitCode, log) = await ProcessRunner.RunAsync(
                DotnetHost(),
                [BenchDll, "--quick", "--out", results.FullName, "--server-dll", ServerProcess.ServerDll],
                ServerProcess.RepositoryRoot,
                TimeSpan.FromMinutes(10));
            output.WriteLine(log);
            Assert.True(exitCode == 0, $"the bench exited with {exitCode}:\n{log}");

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(results.FullName, "results.json")));
            var figures = json.RootElement.GetProperty("figures").EnumerateArray()
                .ToDictionary(f => f.GetProperty("key").GetString()!, f => f.GetProperty("value"));
            var missing = ExpectedFigures().Where(key => !figures.ContainsKey(key)).ToList();
            Assert.True(missing.Count == 0, $"figures not reported: {string.Join(", ", missing)}");
            var unmeasured = ExpectedFigures().Where(key => figures[key].ValueKind != JsonValueKind.Number).ToList();
            Assert.True(unmeasured.Count == 0, $"figures reported without a number: {string.Join(", ", unmeasured)}");

            var plans = json.RootElement.GetProperty("query_plans");
            foreach (var size in QuickSizes)
            {
                var store = string.Create(CultureInfo.InvariantCulture, $"store of {size:#,0} drafts");
                Assert.True(plans.TryGetProperty(store, out var shapes), $"no query plans for the {store}");
                Assert.Equal(6, shapes.GetArrayLength());
                Assert.All(shapes.EnumerateArray(), shape => Assert.NotEmpty(shape.GetProperty("plan").EnumerateArray()));
            }

            Assert.True(File.Exists(Path.Combine(results.FullName, "results.md")), "results.md was not written");
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }

    private static IEnumerable<string> ExpectedFigures()
    {
        yield return "list.empty.server_start_s";
        foreach (var kind in new[] { "all", "label", "state" })
        {
            yield return $"list.{kind}.page1.largest_vs_smallest_p95_ratio";
            yield return $"list.{kind}.page20.largest_vs_smallest_p95_ratio";
        }

        foreach (var size in QuickSizes)
        {
            yield return $"list.{size}.server_start_s";
            foreach (var kind in new[] { "all", "label", "state" })
            {
                foreach (var page in new[] { "page1", "page20" })
                {
                    yield return $"list.{size}.{kind}.{page}.p50_ms";
                    yield return $"list.{size}.{kind}.{page}.p95_ms";
                    yield return $"list.{size}.{kind}.{page}.sql_only_p50_ms";
                }

                yield return $"list.{size}.{kind}.page20_vs_page1.p50_ratio";
                yield return $"list.{size}.{kind}.page20_vs_page1.p95_ratio";
            }
        }

        string[] scheduled =
        [
            "create_throughput_per_s", "create_latency.p50_ms", "create_latency.p95_ms", "all_delivered_observed_s", "all_delivered_s",
            "first_delivered_s", "lateness.p50_s", "lateness.p99_s", "delivery_throughput_per_s", "messages", "distinct_draft_ids",
            "outbox_rows", "drafts_left", "claims", "due_sweep_claims", "due_sweep_enqueued",
        ];
        foreach (var figure in scheduled)
        {
            yield return $"scheduled.{figure}";
        }

        foreach (var figure in new[] { "p50_ms", "p99_ms", "max_ms", "early", "sent" })
        {
            yield return $"lateness.{figure}";
        }

        foreach (var figure in CreateFigures)
        {
            yield return $"create.{figure}";
        }

        foreach (var key in LiveFigures())
        {
            yield return key;
        }

        foreach (var key in CircuitFigures())
        {
            yield return key;
        }

        foreach (var key in SendFigures())
        {
            yield return key;
        }
    }

    private static readonly string[] CreateFigures =
    [
        "api_per_s", "api_latency.p50_ms", "api_latency.p95_ms", "api_latency.p99_ms", "server_cpu_ms_per_create", "client_cpu_ms_per_create", "raw_1_writer_per_s",
        "raw_16_writers_per_s", "raw_durable_per_s", "api_vs_raw_ratio", "api_vs_raw_durable_ratio", "rejected", "stored",
    ];

    private static IEnumerable<string> LiveFigures()
    {
        foreach (var clients in new[] { 1, 5 })
        {
            yield return $"live.{clients}.p50_ms";
            yield return $"live.{clients}.p95_ms";
            yield return $"live.{clients}.missing";
            yield return $"live.{clients}.api_p50_ms";
        }
    }

    private static IEnumerable<string> CircuitFigures()
    {
        foreach (var run in new[] { "idle", "rows50" })
        {
            yield return $"circuits.{run}.baseline_managed_mb";
            foreach (var circuits in new[] { 1, 3 })
            {
                yield return $"circuits.{run}.{circuits}.per_circuit_kb";
                yield return $"circuits.{run}.{circuits}.managed_mb";
                yield return $"circuits.{run}.{circuits}.rss_mb";
            }
        }

        yield return "circuits.after_close_managed_mb";
        foreach (var tabs in new[] { 1, 3 })
        {
            yield return $"circuits.live_row.{tabs}.p50_ms";
            yield return $"circuits.live_row.{tabs}.p95_ms";
            yield return $"circuits.live_row.{tabs}.patch_p50_ms";
        }

        yield return "circuits.signin_to_rows.p50_ms";
        yield return "circuits.signin_alone.p50_ms";
    }

    private static IEnumerable<string> SendFigures()
    {
        yield return "send.log_flush_p50_ms";
        foreach (var transport in new[] { "outbox", "smtp" })
        {
            foreach (var load in new[] { "alone", "load" })
            {
                foreach (var request in new[] { "send", "get" })
                {
                    foreach (var percentile in new[] { "p50_ms", "p95_ms", "p99_ms", "max_ms" })
                    {
                        yield return $"send.{transport}.{load}.{request}.{percentile}";
                    }
                }
            }

            foreach (var figure in new[] { "load.sends_per_s", "load.gets_per_s", "server_cpu_ms_per_send", "server_cpu_ms_per_get", "not_200", "messages", "drafts_without_message", "duplicate_messages", "drafts_left" })
            {
                yield return $"send.{transport}.{figure}";
            }
        }

        yield return "send.outbox.outbox_rows";
        foreach (var figure in new[] { "conversation.p50_ms", "conversation.p95_ms", "sink_messages", "sink_duplicates", "sink_missing" })
        {
            yield return $"send.smtp.{figure}";
        }
    }

    /// <summary>A solution build has built the bench already; a build of this project alone has not.</summary>
    private async Task EnsureBenchBuiltAsync()
    {
        var sources = Directory.EnumerateFiles(Path.GetDirectoryName(BenchProject)!, "*.cs*", SearchOption.TopDirectoryOnly);
        if (File.Exists(BenchDll) && sources.All(s => File.GetLastWriteTimeUtc(s) <= File.GetLastWriteTimeUtc(BenchDll)))
        {
            return;
        }

        var (exitCode, log) = await ProcessRunner.RunAsync(
            DotnetHost(), ["build", BenchProject, "-c", ServerProcess.Configuration, "--nologo", "-v", "quiet"], ServerProcess.RepositoryRoot, TimeSpan.FromMinutes(5));
        Assert.True(exitCode == 0, $"building the bench failed:\n{log}");
        output.WriteLine($"built {BenchDll}");
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
