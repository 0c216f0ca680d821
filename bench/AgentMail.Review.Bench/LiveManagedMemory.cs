using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace AgentMail.Review.Bench;

/// <summary>What a server process holds: managed objects that survived a full GC, and its resident set.</summary>
public sealed record ProcessMemory(long LiveManagedBytes, long ResidentBytes)
{
    public double LiveManagedMegabytes => LiveManagedBytes / 1024.0 / 1024.0;

    public double ResidentMegabytes => ResidentBytes / 1024.0 / 1024.0;
}

/// <summary>
/// Measures another .NET process from outside, over its diagnostics port: an EventPipe session with the runtime's
/// GCHeapCollect keyword makes it run a full blocking GC, and that GC's own statistics say how many bytes survived in
/// every generation (gen0, gen1, gen2, large and pinned object heaps). Their sum is the live managed memory, whether
/// or not the GC compacted; nothing is sampled and no heap is walked.
/// </summary>
public static class LiveManagedMemory
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";

    public static async Task<ProcessMemory> MeasureAsync(int processId, CancellationToken ct)
    {
        var live = await AfterFullGcAsync(processId, TimeSpan.FromSeconds(60), ct);
        return new ProcessMemory(live, ResidentBytes(processId));
    }

    public static async Task<long> AfterFullGcAsync(int processId, TimeSpan timeout, CancellationToken ct)
    {
        var client = new DiagnosticsClient(processId);
        var providers = new[]
        {
            new EventPipeProvider(RuntimeProvider, EventLevel.Informational,
                (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect)),
        };

        using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 16, ct);
        var survived = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(() =>
        {
            using var source = new EventPipeEventSource(session.EventStream);
            var inducedGc = -1;
            source.Clr.GCStart += e =>
            {
                if (inducedGc < 0 && e.Depth == 2 && e.Type != GCType.BackgroundGC)
                {
                    inducedGc = e.Count;
                }
            };
            // A blocking GC runs alone, so the first heap statistics after it started are its own.
            source.Clr.GCHeapStats += e =>
            {
                if (inducedGc >= 0)
                {
                    survived.TrySetResult(e.TotalPromotedSize0 + e.TotalPromotedSize1 + e.TotalPromotedSize2 + e.TotalPromotedSize3 + e.TotalPromotedSize4);
                    source.StopProcessing();
                }
            };
            source.Process();
        }, CancellationToken.None);

        try
        {
            return await survived.Task.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"process {processId} ran no full GC within {timeout.TotalSeconds:0} s of being asked to");
        }
        finally
        {
            try
            {
                await session.StopAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is ServerNotAvailableException or EndOfStreamException or IOException)
            {
                // The process went away; the session is gone with it.
            }

            await reading.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>VmRSS from /proc; 0 where there is no /proc.</summary>
    public static long ResidentBytes(int processId)
    {
        var status = $"/proc/{processId}/status";
        if (!File.Exists(status))
        {
            return 0;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kilobytes = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return kilobytes is null ? 0 : long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
    }
}
