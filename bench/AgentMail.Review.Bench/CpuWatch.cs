using System.Collections.Concurrent;
using System.Globalization;

namespace AgentMail.Review.Bench;

/// <summary>
/// How busy the machine was while a scenario ran, and how much of that was neither the bench nor the servers it
/// started: on a small shared machine, other work moves every figure, so the report says how much there was.
/// Reads /proc every half second; elsewhere it reports nothing.
/// </summary>
public sealed class CpuWatch : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, byte> Servers = new();

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Dictionary<int, long> _lastProcessTicks = [];
    private long _busy;
    private long _total;
    private long _ours;

    private CpuWatch() => _loop = Task.Run(LoopAsync);

    public static bool Available => File.Exists("/proc/stat");

    /// <summary>Counts a server process the bench started as the bench's own load.</summary>
    public static void Track(int processId) => Servers.TryAdd(processId, 0);

    public static CpuWatch Start() => new();

    /// <summary>The machine's busy share and the share used by everything else, in percent of all cores.</summary>
    public async Task<(double MachineBusyPercent, double OthersPercent)> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        if (_total == 0)
        {
            return (double.NaN, double.NaN);
        }

        return (100.0 * _busy / _total, 100.0 * Math.Max(0, _busy - _ours) / _total);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        if (!Available)
        {
            return;
        }

        var (busy, total) = MachineTicks();
        var ours = OurTicks();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(500, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            var (nowBusy, nowTotal) = MachineTicks();
            var nowOurs = OurTicks();
            _busy += nowBusy - busy;
            _total += nowTotal - total;
            _ours += nowOurs - ours;
            (busy, total, ours) = (nowBusy, nowTotal, nowOurs);
        }
    }

    /// <summary>All CPUs from /proc/stat, in clock ticks: (busy, busy + idle + iowait).</summary>
    private static (long Busy, long Total) MachineTicks()
    {
        var line = File.ReadLines("/proc/stat").First();
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already inside user).
        var idle = values[3] + values[4];
        var busy = values[0] + values[1] + values[2] + values[5] + values[6] + (values.Length > 7 ? values[7] : 0);
        return (busy, busy + idle);
    }

    /// <summary>
    /// The bench's own ticks plus, for each server, the ticks it used since this watch last saw it (a server that has
    /// exited keeps what was counted before it went).
    /// </summary>
    private long OurTicks()
    {
        var self = ProcessTicks(Environment.ProcessId) ?? 0;
        foreach (var pid in Servers.Keys)
        {
            if (ProcessTicks(pid) is { } ticks)
            {
                _lastProcessTicks[pid] = ticks;
            }
        }

        return self + _lastProcessTicks.Values.Sum();
    }

    /// <summary>CPU time a process has used so far (user and system), read from /proc; null where that is not available.</summary>
    public static TimeSpan? ProcessCpuTime(int pid) =>
        ProcessTicks(pid) is { } ticks ? TimeSpan.FromMilliseconds(ticks * 1000.0 / ClockTicksPerSecond) : null;

    /// <summary>The kernel's USER_HZ, 100 on Linux for every architecture .NET runs on.</summary>
    private const int ClockTicksPerSecond = 100;

    private static long? ProcessTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
