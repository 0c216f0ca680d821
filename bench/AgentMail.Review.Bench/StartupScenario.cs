using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AgentMail.Review.Bench;

/// <summary>
/// Start-up on an empty store, from launch to the first 200 from <c>/healthz</c>: the server published as the README
/// deploys it (ReadyToRun), on a new store and again on the store it made (a restart), the plain build output
/// (<c>--server-dll</c>), and an empty ASP.NET Core app published the same way as the yardstick. They start in turn, each on a fresh folder, so a drift in the machine's speed touches all three.
/// </summary>
public sealed class StartupScenario(BenchOptions options, BenchReport report, string folder, string apiKey)
{
    private int Rounds => options.Quick ? 2 : 7;

    public async Task RunAsync(CancellationToken ct)
    {
        Console.WriteLine();
        Console.WriteLine($"== start-up: launch to healthy, {Rounds} rounds of three servers in turn (the published one twice: a new store, then a restart on it)");
        var published = await PublishAsync(Path.Combine("src", "AgentMail.Review.Web", "AgentMail.Review.Web.csproj"), "server", ct);
        var empty = await PublishAsync(Path.Combine("bench", "AgentMail.Review.Bench.EmptyWeb", "AgentMail.Review.Bench.EmptyWeb.csproj"), "empty-web", ct);
        var servers = new (string Name, string Dll)[]
        {
            ("published", Path.Combine(published, "AgentMail.Review.Web.dll")),
            ("build_output", options.ServerDll),
            ("empty_app", Path.Combine(empty, "AgentMail.Review.Bench.EmptyWeb.dll")),
        };
        var times = servers.ToDictionary(s => s.Name, _ => new List<double>());
        times["published_restart"] = [];
        for (var round = 1; round <= Rounds; round++)
        {
            foreach (var (name, dll) in servers)
            {
                var data = Directory.CreateDirectory(Path.Combine(folder, "startup", $"{name}-{round}")).FullName;
                await using (var server = await ServerLauncher.StartAsync(dll, Path.Combine(data, "review.db"), apiKey, options.ServerEnvironment, TimeSpan.FromMinutes(1), ct))
                {
                    times[name].Add(server.StartupTime.TotalSeconds);
                }

                if (name == "published")
                {
                    // A restart, as after a deploy: the same store again, already made.
                    await using var again = await ServerLauncher.StartAsync(dll, Path.Combine(data, "review.db"), apiKey, options.ServerEnvironment, TimeSpan.FromMinutes(1), ct);
                    times["published_restart"].Add(again.StartupTime.TotalSeconds);
                }
            }
        }

        // A restart on a large store: the published server on a copy of the store it made, seeded with drafts.
        var size = options.Quick ? 10_000 : 1_000_000;
        var largeDb = Path.Combine(Directory.CreateDirectory(Path.Combine(folder, "startup", "large")).FullName, "review.db");
        File.Copy(Path.Combine(folder, "startup", "published-1", "review.db"), largeDb);
        var seeded = StoreSeeder.Seed(largeDb, size, DateTime.UtcNow);
        Console.WriteLine($"  store seeded with {seeded.Drafts:#,0} drafts ({seeded.Scheduled:#,0} scheduled) in {seeded.Took.TotalSeconds:0} s");
        times["published_large"] = [];
        for (var round = 1; round <= Math.Min(Rounds, 3); round++)
        {
            await using var server = await ServerLauncher.StartAsync(servers[0].Dll, largeDb, apiKey, options.ServerEnvironment, TimeSpan.FromMinutes(2), ct);
            times["published_large"].Add(server.StartupTime.TotalSeconds);
        }

        double Median(string name) => Stats.Percentile(times[name], 50);
        string Spread(string name) => $"min {times[name].Min():0.00} s, max {times[name].Max():0.00} s over {times[name].Count}";
        var publishedS = Median("published");
        var emptyS = Median("empty_app");
        report.Add(new Figure("startup.published_s", "startup", "published server (ReadyToRun), median", publishedS, "s", "≤ 1.5 s", publishedS <= 1.5, Spread("published")));
        report.Add(new Figure("startup.published_restart_s", "startup", "published server again on the store it made (a restart), median", Median("published_restart"), "s", "≤ 1.5 s",
            Median("published_restart") <= 1.5, Spread("published_restart")));
        report.Add(new Figure("startup.published_large_s", "startup", $"published server on a store of {size:#,0} drafts, median", Median("published_large"), "s", "≤ 2 s",
            Median("published_large") <= 2, $"{Spread("published_large")}; {seeded.Scheduled:#,0} of them scheduled"));
        report.Add(new Figure("startup.build_output_s", "startup", "the build output (JIT only), median", Median("build_output"), "s", null, null, Spread("build_output")));
        report.Add(new Figure("startup.empty_app_s", "startup", "an empty ASP.NET Core app published the same way, median", emptyS, "s", null, null, Spread("empty_app")));
        var ratio = publishedS / emptyS;
        report.Add(new Figure("startup.published_vs_empty_ratio", "startup", "published server / empty app", ratio, "×", "≤ 3×", ratio <= 3));
    }

    /// <summary><c>dotnet publish -c Release -r &lt;this runtime&gt;</c> of a project of the repository, into the bench's folder.</summary>
    private async Task<string> PublishAsync(string project, string name, CancellationToken ct)
    {
        var output = Path.Combine(folder, "publish", name);
        var rid = $"{(OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux")}-{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";
        var start = new ProcessStartInfo
        {
            FileName = ServerLauncher.DotnetHost(),
            WorkingDirectory = ServerLauncher.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "publish", Path.Combine(ServerLauncher.RepositoryRoot, project), "-c", "Release", "-r", rid, "-o", output, "--nologo", "-v", "quiet" })
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not run dotnet publish {project}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {project} failed ({process.ExitCode}):\n{await stdout}{await stderr}");
        }

        Console.WriteLine($"  published {project} for {rid} in {clock.Elapsed.TotalSeconds:0} s");
        return output;
    }
}
