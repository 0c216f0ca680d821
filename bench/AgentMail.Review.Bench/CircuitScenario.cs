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
    public const double SignInGoalMs = 500;
    public const double LiveRowGoalMs = 300;
    public const int LiveRowGoalConsoles = 100;

    /// <summary>Tabs, spread over those open, watched for each live change (each polls its page every 5 ms).</summary>
    private const int WatchedTabs = 10;

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
            if (run.Rows > 0)
            {
                await MeasureLiveRowAsync(server, tabs, count, ct);
            }
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

        await MeasureSignInAsync(tabs, run.Rows);
    }

    /// <summary>
    /// Sign-in as a person does it, signed out in a fresh browser: from pressing "Sign in" until the queue shows its
    /// first page of rows. The baseline is the same sign-in returning to a plain JSON page (no console), in turn.
    /// </summary>
    private async Task MeasureSignInAsync(ConsoleTabs tabs, int rows)
    {
        var rounds = options.Quick ? 3 : 10;
        var toRows = new List<double>(rounds);
        var alone = new List<double>(rounds);
        for (var i = 0; i < rounds + 1; i++)
        {
            var plain = await tabs.TimeSignInAsync("/account/me", null);
            var console = await tabs.TimeSignInAsync("/", rows);
            if (i > 0)
            {
                // The first round warms the sign-in pages and the browser's cache of the console's scripts.
                alone.Add(plain.TotalMilliseconds);
                toRows.Add(console.TotalMilliseconds);
            }
        }

        var p50 = Stats.Percentile(toRows, 50);
        report.Add(new Figure("circuits.signin_to_rows.p50_ms", "circuits", $"console sign-in → first {rows} rows on screen, median", p50, "ms",
            $"≤ {SignInGoalMs:0} ms", p50 <= SignInGoalMs, $"{rounds} sign-ins, fresh browser context each; max {toRows.Max():0} ms"));
        report.Add(new Figure("circuits.signin_alone.p50_ms", "circuits", "sign-in alone (to a plain JSON page), median (baseline)", Stats.Percentile(alone, 50), "ms", null, null,
            $"max {alone.Max():0} ms"));
    }

    /// <summary>
    /// A change on screen: an agent edits the subject of a draft in the grid's first page, and the clock runs from
    /// the PATCH until the new subject shows in that row in each of <see cref="WatchedTabs"/> tabs spread over the
    /// <paramref name="count"/> open. The baseline is the PATCH's own answer.
    /// </summary>
    private async Task MeasureLiveRowAsync(ServerLauncher server, ConsoleTabs tabs, int count, CancellationToken ct)
    {
        using var api = new ApiClient(server.BaseUrl, apiKey, connections: 1);
        var draftId = await tabs.FirstRowDraftIdAsync();
        var (status, body, _) = await api.GetAsync($"/v0/drafts/{draftId}", ct);
        var inbox = status == System.Net.HttpStatusCode.OK ? body!.RootElement.GetProperty("inbox_id").GetString()! : throw new InvalidOperationException($"GET draft {draftId}: {status}");
        var changes = options.Quick ? 5 : 20;
        var onScreen = new List<double>();
        var patches = new List<double>();
        TimeSpan? serverCpuBefore = null;
        var wall = new Stopwatch();
        for (var i = 0; i < changes + 2; i++)
        {
            if (i == 2)
            {
                serverCpuBefore = CpuWatch.ProcessCpuTime(server.ProcessId);
                wall.Start();
            }

            var subject = $"Live row {count}/{i}";
            var since = Stopwatch.GetTimestamp();
            var (patched, text, ms) = await api.PatchAsync($"/v0/inboxes/{Uri.EscapeDataString(inbox)}/drafts/{draftId}", new { subject }, ct);
            if (patched != System.Net.HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"PATCH of draft {draftId} answered {(int)patched}: {text}");
            }

            var seen = await tabs.WaitForRowAsync(WatchedTabs, draftId, subject, since);
            if (i >= 2)
            {
                onScreen.AddRange(seen.Select(t => t.TotalMilliseconds));
                patches.Add(ms);
            }
        }

        wall.Stop();
        var tabsLabel = count == 1 ? "1 tab" : $"{count} tabs";
        if (serverCpuBefore is { } before && CpuWatch.ProcessCpuTime(server.ProcessId) is { } after)
        {
            // The tabs' browser runs on the same cores; this is the server's own share of each change.
            var perChange = (after - before).TotalMilliseconds / changes;
            report.Add(new Figure($"circuits.live_row.{count}.server_cpu_ms_per_change", "circuits", $"{tabsLabel} open: server CPU per change (every console's refresh)", perChange, "ms",
                null, null, $"{perChange / Math.Max(1, count):0.00} ms per open console; the changes took {wall.Elapsed.TotalSeconds:0.0} s of wall time"));
        }

        var p95 = Stats.Percentile(onScreen, 95);
        var goal = count == LiveRowGoalConsoles ? $"≤ {LiveRowGoalMs:0} ms" : null;
        report.Add(new Figure($"circuits.live_row.{count}.p50_ms", "circuits", $"{tabsLabel} open: agent's change → on screen in the row, p50", Stats.Percentile(onScreen, 50), "ms", null, null,
            $"{changes} changes × {Math.Min(WatchedTabs, count)} tabs watched"));
        report.Add(new Figure($"circuits.live_row.{count}.p95_ms", "circuits", $"{tabsLabel} open: agent's change → on screen in the row, p95", p95, "ms",
            goal, goal is null ? null : p95 <= LiveRowGoalMs));
        report.Add(new Figure($"circuits.live_row.{count}.patch_p50_ms", "circuits", $"{tabsLabel} open: the PATCH itself, p50 (baseline)", Stats.Percentile(patches, 50), "ms", null, null));
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
