using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace AgentMail.Review.Bench;

/// <summary>
/// The real server as its own process on a free loopback port, the way an operator runs it: the built dll, the
/// Development environment, a SQLite file of the bench's choosing, a development API key.
/// </summary>
public sealed class ServerLauncher : IAsyncDisposable
{
    private const int MaxKeptLines = 20_000;

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StreamWriter _logFile;

    private ServerLauncher(Process process, int port, string apiKey, string databasePath)
    {
        _process = process;
        Port = port;
        ApiKey = apiKey;
        DatabasePath = databasePath;
        BaseUrl = new Uri($"http://127.0.0.1:{port}");
        // The whole output, next to the database, for --keep-data runs that need a closer look.
        _logFile = new StreamWriter(Path.Combine(Path.GetDirectoryName(databasePath)!, $"server-{port}.log"));
    }

    public Uri BaseUrl { get; }

    public int Port { get; }

    public string ApiKey { get; }

    public string DatabasePath { get; }

    public int ProcessId => _process.Id;

    /// <summary>Every line as it arrives, including those past the kept first <see cref="MaxKeptLines"/>.</summary>
    public event Action<string>? LineReceived;

    /// <summary>How long it took from process start to the first 200 from <c>/healthz</c>.</summary>
    public TimeSpan StartupTime { get; private set; }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The configuration the bench was built in; the server is taken from the same one.</summary>
    public static string Configuration { get; } =
        typeof(ServerLauncher).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } c ? c : "Release";

    public static string DefaultServerDll =>
        Path.Combine(RepositoryRoot, "src", "AgentMail.Review.Web", "bin", Configuration, "net10.0", "AgentMail.Review.Web.dll");

    /// <summary>Every line the server has written so far (stdout and stderr).</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public static async Task<ServerLauncher> StartAsync(
        string serverDll,
        string databasePath,
        string apiKey,
        IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout,
        CancellationToken ct = default)
    {
        if (!File.Exists(serverDll))
        {
            throw new InvalidOperationException($"The server is not built at {serverDll}; build it first (dotnet build -c {Configuration}).");
        }

        // A free port can be taken between probing and binding; a second try with a new one settles that.
        for (var attempt = 1; ; attempt++)
        {
            var server = Launch(serverDll, FreeLoopbackPort(), databasePath, apiKey, environment);
            CpuWatch.Track(server.ProcessId);
            try
            {
                await server.WaitUntilHealthyAsync(timeout, ct);
                Console.WriteLine($"  [server pid {server.ProcessId} on port {server.Port}, healthy after {server.StartupTime.TotalSeconds:0.0} s]");
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server.Lines.Any(l => l.Contains("address already in use", StringComparison.OrdinalIgnoreCase)))
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>SIGTERM, as a service manager would send, then waits for a clean exit (killed after the timeout).</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        if (OperatingSystem.IsWindows() || SendSignal(_process.Id, SigTerm) != 0)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(15));
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        PrintErrors();
        _process.Dispose();
        lock (_lines)
        {
            _logFile.Dispose();
        }
    }

    /// <summary>
    /// The errors the server logged, each with the lines that follow it (its exception), so a scenario that met a 500
    /// shows its cause even when the temporary folder with the whole log is gone.
    /// </summary>
    private void PrintErrors()
    {
        const int shown = 3, linesEach = 25;
        var lines = Lines;
        // Health checks that fail while the bench waits for healthy are logged as errors too; they are not the server's.
        var errors = Enumerable.Range(0, lines.Count)
            .Where(i => (lines[i].StartsWith("fail:", StringComparison.Ordinal) || lines[i].StartsWith("crit:", StringComparison.Ordinal))
                && !lines[i].Contains("HealthChecks.DefaultHealthCheckService", StringComparison.Ordinal))
            .ToList();
        if (errors.Count == 0)
        {
            return;
        }

        Console.WriteLine($"  [server pid {ProcessId} logged {errors.Count} error(s); the first {Math.Min(shown, errors.Count)}:]");
        foreach (var start in errors.Take(shown))
        {
            foreach (var line in lines.Skip(start).Take(linesEach).TakeWhile((l, i) => i == 0 || l.StartsWith(' ')))
            {
                Console.WriteLine($"    {line}");
            }
        }
    }

    private static ServerLauncher Launch(string serverDll, int port, string databasePath, string apiKey, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo
        {
            FileName = DotnetHost(),
            // Relative paths in any setting land next to the database, never in the repository.
            WorkingDirectory = Path.GetDirectoryName(databasePath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(serverDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        // The content root is the current folder unless told otherwise; the server's own folder holds its
        // appsettings.json (log levels), as when it is started with dotnet run from its project.
        start.ArgumentList.Add("--contentRoot");
        start.ArgumentList.Add(Path.GetDirectoryName(Path.GetFullPath(serverDll))!);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ConnectionStrings__Review"] = $"Data Source={databasePath}";
        start.Environment["Review__DevApiKey"] = apiKey;
        // The benchmark measures sending itself: its inboxes let the development key send without review.
        start.Environment["Review__Policy__DefaultReviewRequired"] = "false";
        // Logging stays as shipped (one line per draft change), so its cost is part of what is measured.
        // One API key stands in for many agents here, so its per-key rate limit (default 50/s) would measure the
        // limiter, not the server; --server-env Review__RateLimit__Enabled=true puts it back.
        start.Environment["Review__RateLimit__Enabled"] = "false";
        // The benchmark receives no mail; Development's fixed SMTP port would clash with a server already running.
        start.Environment["Inbound__Smtp__Enabled"] = "false";
        start.Environment["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ServerLauncher(process, port, apiKey, databasePath);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data is null ? null : $"[stderr] {e.Data}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        var health = new Uri(BaseUrl, "/healthz");
        var clock = Stopwatch.StartNew();
        var lastProblem = "no answer yet";
        while (clock.Elapsed < timeout)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                _process.WaitForExit();
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} before /healthz answered 200.\n{Tail()}");
            }

            try
            {
                using var response = await Probe.GetAsync(health, ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    StartupTime = clock.Elapsed;
                    return;
                }

                lastProblem = $"/healthz answered {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                lastProblem = e.Message;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                lastProblem = "/healthz did not answer within 5 s";
            }

            await Task.Delay(50, ct);
        }

        throw new InvalidOperationException($"The server did not become healthy within {timeout} ({lastProblem}).\n{Tail()}");
    }

    private string Tail()
    {
        var lines = Lines;
        var text = new StringBuilder();
        foreach (var line in lines.Skip(Math.Max(0, lines.Count - 40)))
        {
            text.AppendLine(line);
        }

        return text.ToString();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            if (_lines.Count < MaxKeptLines)
            {
                _lines.Add(line);
            }

            try
            {
                _logFile.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // A last line after the server was disposed; the file is closed.
            }
        }

        LineReceived?.Invoke(line);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The dotnet host: the SDK's when it set one, this process's when it is the host, else the one on PATH.</summary>
    internal static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }

        return "dotnet";
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentMail.Review.sln")))
            {
                return dir.FullName;
            }
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentMail.Review.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No AgentMail.Review.sln above {AppContext.BaseDirectory} or the current folder");
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
