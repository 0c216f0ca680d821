using System.Diagnostics;
using System.Security.Cryptography;
using AgentMail.Review.Bench;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

return await Bench.RunAsync(options);

namespace AgentMail.Review.Bench
{
    public static class Bench
    {
        /// <summary>Runs the chosen scenarios and writes the results. It reports; it does not judge: a missed goal is not a failure.</summary>
        public static async Task<int> RunAsync(BenchOptions options, CancellationToken ct = default)
        {
            var clock = Stopwatch.StartNew();
            var report = new BenchReport
            {
                Mode = options.Quick ? "quick" : "full",
                Command = options.Describe(),
                StartedAt = DateTimeOffset.UtcNow,
                Machine = Machine.Describe(),
                ServerRevision = Machine.GitRevision(ServerLauncher.RepositoryRoot),
                ServerSettings = options.ServerEnvironment,
                LoadAtStart = Machine.LoadAverage(),
            };

            Console.WriteLine($"AgentMail Review benchmark ({report.Mode})");
            Console.WriteLine($"  {report.Command}");
            Console.WriteLine($"  machine: {report.Machine.Cores} cores, {report.Machine.Memory}, {report.Machine.Cpu}; {report.Machine.Os}; {report.Machine.Runtime}; SQLite {report.Machine.Sqlite}");
            Console.WriteLine($"  server: {options.ServerDll}{(report.ServerRevision is null ? "" : $" ({report.ServerRevision})")}");
            Console.WriteLine($"  load average: {report.LoadAtStart}{(Environment.ProcessorCount < 4 ? " (on a small machine, anything else running skews the figures)" : "")}");

            var work = Directory.CreateTempSubdirectory("agentmail-review-bench-");
            var apiKey = $"am_bench_{RandomNumberGenerator.GetHexString(32, lowercase: true)}";
            var status = 0;
            try
            {
                var folder = work.FullName;
                if (options.RunsList)
                {
                    await MeasureAsync(report, "list", () => new ListScenario(options, report, folder, apiKey).RunAsync(ct));
                    if (ListPlot.Write(report, options.Sizes, options.OutputFolder) is { } plot)
                    {
                        Console.WriteLine($"  plot: {plot}");
                    }
                }

                if (options.RunsCreate)
                {
                    await MeasureAsync(report, "create", () => new CreateScenario(options, report, folder, apiKey).RunAsync(ct));
                }

                if (options.RunsScheduled)
                {
                    await MeasureAsync(report, "scheduled", async () =>
                    {
                        await new LatenessScenario(options, report, folder, apiKey).RunAsync(ct);
                        await new ScheduledScenario(options, report, folder, apiKey).RunAsync(ct);
                    });
                }

                if (options.RunsSend)
                {
                    await MeasureAsync(report, "send", () => new SendScenario(options, report, folder, apiKey).RunAsync(ct));
                }

                if (options.RunsLive)
                {
                    await MeasureAsync(report, "live", () => new LiveScenario(options, report, folder, apiKey).RunAsync(ct));
                }

                if (options.RunsCircuits)
                {
                    await MeasureAsync(report, "circuits", () => new CircuitScenario(options, report, folder, apiKey).RunAsync(ct));
                }

                if (options.RunsEvents)
                {
                    await MeasureAsync(report, "events", () => new EventsScenario(options, report, folder, apiKey).RunAsync(ct));
                }

                if (options.RunsStartup)
                {
                    await MeasureAsync(report, "startup", () => new StartupScenario(options, report, folder, apiKey).RunAsync(ct));
                }

                if (options.RunsStores)
                {
                    await MeasureAsync(report, "stores", () => new StoresScenario(options, report, folder, apiKey).RunAsync(ct));
                }
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException or TaskCanceledException)
            {
                Console.Error.WriteLine($"The benchmark could not finish: {e}");
                report.Note($"the run stopped early: {e.Message.Split('\n')[0]}");
                status = 1;
            }
            finally
            {
                report.DurationSeconds = clock.Elapsed.TotalSeconds;
                report.LoadAtEnd = Machine.LoadAverage();
                await report.WriteAsync(options.OutputFolder);
                if (options.KeepData)
                {
                    Console.WriteLine($"  data kept in {work.FullName}");
                }
                else
                {
                    try
                    {
                        work.Delete(recursive: true);
                    }
                    catch (IOException)
                    {
                        // A leftover temp folder is harmless.
                    }
                }
            }

            Console.WriteLine();
            var missed = report.Figures.Where(f => f.Met == false).ToList();
            Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:0} s. {report.Figures.Count(f => f.Met == true)} goals met, {missed.Count} missed.");
            foreach (var f in missed)
            {
                Console.WriteLine($"  missed: {f.Label}: {BenchReport.Format(f.Value, f.Unit)} (goal {f.Goal})");
            }

            Console.WriteLine($"Results: {Path.Combine(options.OutputFolder, "results.json")} and results.md");
            return status;
        }

        /// <summary>Runs one scenario and reports how busy the machine was meanwhile, and how much of that was other work.</summary>
        private static async Task MeasureAsync(BenchReport report, string scenario, Func<Task> run)
        {
            await using var watch = CpuWatch.Start();
            await run();
            await ReportCpuAsync(report, scenario, watch);
        }

        private static async Task ReportCpuAsync(BenchReport report, string scenario, CpuWatch watch)
        {
            if (!CpuWatch.Available)
            {
                return;
            }

            var (busy, others) = await watch.StopAsync();
            report.Add(new Figure($"{scenario}.machine_busy_pct", scenario, "machine CPU busy during this scenario (all cores)", busy, "%", null, null));
            report.Add(new Figure($"{scenario}.others_cpu_pct", scenario, "of which other processes (neither the bench nor its servers)", others, "%", null, null,
                others > 10 ? "other work on the machine skews these figures" : null));
        }
    }
}
