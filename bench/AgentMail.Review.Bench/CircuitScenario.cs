using System.Diagnostics;
using System.Globalization;

namespace AgentMail.Review.Bench;

/// <summary>
/// Server memory per connected console circuit: headless Chromium tabs on the review queue, signed in as a viewer,
/// first on an empty store (an idle console) and then on a seeded one where every tab's grid shows a 50-row page.
/// After each count of tabs the server runs a full GC and reports what survived, against a baseline taken after one
/// tab had been opened and closed; at the end all tabs close and the memory should fall back to that baseline.
/// </summary>
public sealed class CircuitScenario(BenchOptions options, BenchReport report, string workFolder, string apiKey)
{
    public const double IdleGoalKilobytes = 1024;
    public const int RowsPerPage = 50;

    private sealed record Run(string Key, string Label, int Rows);

    public async Task RunAsync(CancellationToken ct)
    {
        var counts = options.Circuits.Distinct().Order().ToList();
        var drafts = options.Quick ? 1_000 : 5_000;
        Console.WriteLine();
        Console.WriteLine($"== circuits: server memory per console tab (Blazor circuit) at {string.Join(", ", counts)} tabs, idle and with {RowsPerPage} rows; " +
                          "live managed memory after a full GC");

        if (!ConsoleTabs.Available)
        {
            report.Note($"circuits: skipped, no Chromium at {ConsoleTabs.ChromiumPath}");
            return;
        }

        var folder = Directory.CreateDirectory(Path.Combine(workFolder, "circuits")).FullName;
        var db = Path.Combine(folder, "review.db");
        var environment = new Dictionary<string, string>(options.ServerEnvironment) { ["Review__Console__PageSize"] = RowsPerPage.ToString(CultureInfo.InvariantCulture) };

        await MeasureAsync(new Run("idle", "idle console (empty store)", 0), db, environment, counts, ct);

        var seeded = StoreSeeder.Seed(db, drafts, DateTime.UtcNow);
        Console.WriteLine();
        Console.WriteLine($"  store seeded with {seeded.Drafts:#,0} drafts ({seeded.Pending:#,0} pending, {seeded.Scheduled:#,0} scheduled, {seeded.Failed:#,0} failed) " +
                          $"in {seeded.Took.TotalSeconds:0.0} s");
        await MeasureAsync(new Run("rows50", $"{RowsPerPage} rows in the grid", RowsPerPage), db, environment, counts, ct);
    }

    private async Task MeasureAsync(Run run, string db, IReadOnlyDictionary<string, string> environment, IReadOnlyList<int> counts, CancellationToken ct)
    {
        var settle = TimeSpan.FromSeconds(options.Quick ? 0.5 : 2);
        await using var server = await ServerLauncher.StartAsync(options.ServerDll, db, apiKey, environment, TimeSpan.FromMinutes(2), ct);
        await using var tabs = await ConsoleTabs.SignInAsync(server.BaseUrl);

        // One tab opened and closed first: what the first circuit loads once (code, MudBlazor's caches) is not per circuit.
        await tabs.OpenUntilAsync(1, run.Rows, ct);
        await tabs.CloseAllAsync();
        await Task.Delay(settle, ct);
        var baseline = await LiveManagedMemory.MeasureAsync(server.ProcessId, ct);
        await KeepHeapAsync(server, run, "no-tab", ct);
        report.Add(new Figure($"circuits.{run.Key}.baseline_managed_mb", "circuits", $"{run.Label}: no tab open, live managed memory", baseline.LiveManagedMegabytes, "MB",
            null, null, $"resident set {baseline.ResidentMegabytes:0} MB"));

        foreach (var count in counts)
        {
            var clock = Stopwatch.StartNew();
            await tabs.OpenUntilAsync(count, run.Rows, ct);
            var opened = clock.Elapsed;
            await Task.Delay(settle, ct);
            var memory = await LiveManagedMemory.MeasureAsync(server.ProcessId, ct);
            var perCircuitKb = (memory.LiveManagedBytes - baseline.LiveManagedBytes) / 1024.0 / count;
            var tabsLabel = count == 1 ? "1 tab" : $"{count} tabs";
            var idle = run.Rows == 0;
            report.Add(new Figure($"circuits.{run.Key}.{count}.per_circuit_kb", "circuits", $"{run.Label}: {tabsLabel}, managed memory per circuit", perCircuitKb, "KB",
                idle ? "≤ 1 MB" : null, idle ? perCircuitKb <= IdleGoalKilobytes : null,
                $"tabs open and rendered after {opened.TotalSeconds:0.0} s"));
            report.Add(new Figure($"circuits.{run.Key}.{count}.managed_mb", "circuits", $"{run.Label}: {tabsLabel}, live managed memory", memory.LiveManagedMegabytes, "MB",
                null, null, $"+{memory.LiveManagedMegabytes - baseline.LiveManagedMegabytes:0.0} MB over no tab"));
            report.Add(new Figure($"circuits.{run.Key}.{count}.rss_mb", "circuits", $"{run.Label}: {tabsLabel}, resident set (VmRSS)", memory.ResidentMegabytes, "MB",
                null, null, $"+{memory.ResidentMegabytes - baseline.ResidentMegabytes:0} MB over no tab"));
        }

        await KeepHeapAsync(server, run, $"{counts[^1]}-tabs", ct);

        if (run.Rows == 0)
        {
            return;
        }

        var open = tabs.Count;
        await tabs.CloseAllAsync();
        await Task.Delay(settle, ct);
        var closed = await LiveManagedMemory.MeasureAsync(server.ProcessId, ct);
        await KeepHeapAsync(server, run, "closed", ct);
        report.Add(new Figure("circuits.after_close_managed_mb", "circuits", $"{run.Label}: all {open} tabs closed, live managed memory", closed.LiveManagedMegabytes, "MB",
            null, null, $"{closed.LiveManagedMegabytes - baseline.LiveManagedMegabytes:+0.0;-0.0} MB against no tab open"));
    }

    /// <summary>With --keep-data, a heap dump next to the database, for a look at which objects the memory is.</summary>
    private async Task KeepHeapAsync(ServerLauncher server, Run run, string moment, CancellationToken ct)
    {
        if (!options.KeepData)
        {
            return;
        }

        var dump = Path.Combine(Path.GetDirectoryName(server.DatabasePath)!, $"circuits-{run.Key}-{moment}.gcdump");
        var problem = await HeapDump.WriteAsync(server.ProcessId, dump, ct);
        Console.WriteLine(problem is null ? $"  heap dump: {dump} (dotnet gcdump report lists it by type)" : $"  no heap dump: {problem}");
    }
}
