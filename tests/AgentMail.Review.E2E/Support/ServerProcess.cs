using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace AgentMail.Review.E2E.Support;

/// <summary>How to start the server. Everything left unset gets a fresh value.</summary>
public sealed record ServerOptions
{
    /// <summary>Where the SQLite file lives. Pass an earlier server's folder to start again on its data.</summary>
    public string? DataFolder { get; init; }

    /// <summary>The development API key (<c>Review:DevApiKey</c>); random when unset.</summary>
    public string? ApiKey { get; init; }

    /// <summary>A loopback port; a free one when unset.</summary>
    public int? Port { get; init; }

    /// <summary>The loopback port of the server's SMTP listener (<c>Inbound:Smtp:Port</c>); a free one when unset.</summary>
    public int? SmtpPort { get; init; }

    /// <summary>Extra environment for the server, e.g. <c>Delivery__Transport</c>; a null value removes an inherited variable.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A PostgreSQL connection string (<see cref="PostgresDatabase.ConnectionString"/>): the store is PostgreSQL
    /// (<c>Review:Store:Provider=Postgres</c>) instead of the SQLite file in <see cref="DataFolder"/>.
    /// </summary>
    public string? Postgres { get; init; }

    /// <summary>With <see cref="Postgres"/>: whether the instance applies migrations at start (<c>Review:Store:MigrateOnStart</c>).</summary>
    public bool MigrateOnStart { get; init; } = true;

    /// <summary><c>ConnectionStrings:Redis</c>, the SignalR backplane; none when unset.</summary>
    public string? Redis { get; init; }
}

/// <summary>
/// The real server as its own OS process on loopback, exactly as an operator runs it: the published dll, Development
/// environment, a SQLite file in a temp folder. Its console output is kept for failure messages.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const int MaxKeptLogLines = 5000;

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly Process _process;
    private readonly LinkedList<string> _log = new();

    /// <summary>Since the process was started: each log line says when it came ("+12.3 s").</summary>
    private readonly System.Diagnostics.Stopwatch _sinceStart = System.Diagnostics.Stopwatch.StartNew();
    private int _droppedLogLines;
    private bool _ownsDataFolder;

    private ServerProcess(Process process, ServerOptions options, int port, int smtpPort, string apiKey, string dataFolder, bool ownsDataFolder)
    {
        _process = process;
        Options = options;
        Port = port;
        SmtpPort = smtpPort;
        ApiKey = apiKey;
        DataFolder = dataFolder;
        _ownsDataFolder = ownsDataFolder;
        BaseUrl = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseUrl { get; }

    public int Port { get; }

    /// <summary>Where the server receives mail (its SMTP listener on 127.0.0.1).</summary>
    public int SmtpPort { get; }

    public string ApiKey { get; }

    public string DataFolder { get; }

    public string DatabasePath => Path.Combine(DataFolder, "review.db");

    public ServerOptions Options { get; }

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>The server's stdout and stderr so far (the last <see cref="MaxKeptLogLines"/> lines).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                var text = new StringBuilder();
                if (_droppedLogLines > 0)
                {
                    text.AppendLine($"[... {_droppedLogLines} earlier lines dropped ...]");
                }

                foreach (var line in _log)
                {
                    text.AppendLine(line);
                }

                return text.ToString();
            }
        }
    }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The configuration this test assembly was built in; the benchmark tool is built in the same one.</summary>
    public static string Configuration { get; } = FindConfiguration();

    /// <summary>The server every test runs: <see cref="PublishedServer"/>, published on first use.</summary>
    public static string ServerDll => PublishedServer.Dll;

    public static async Task<ServerProcess> StartAsync(ServerOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ServerOptions();
        await PublishedServer.EnsureAsync();

        var ownsDataFolder = options.DataFolder is null;
        var dataFolder = options.DataFolder ?? Directory.CreateTempSubdirectory("agentmail-review-e2e-").FullName;
        Directory.CreateDirectory(dataFolder);
        var apiKey = options.ApiKey ?? $"am_e2e_{RandomNumberGenerator.GetHexString(32, lowercase: true)}";

        // A free port can be taken by someone else between probing and binding; only a port we chose is worth retrying.
        var attempts = options.Port is null || options.SmtpPort is null ? 3 : 1;
        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port ?? FreeLoopbackPort();
            var smtpPort = options.SmtpPort ?? FreeLoopbackPort();
            var server = Launch(options, port, smtpPort, apiKey, dataFolder, ownsDataFolder);
            try
            {
                await server.WaitUntilHealthyAsync(options.StartTimeout, ct);
                return server;
            }
            catch (ServerStartException) when (attempt < attempts && server.Log.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                server._ownsDataFolder = false;
                await server.DisposeAsync();
            }
            catch
            {
                // The caller never sees this instance, so it cannot clean up the folder we made for it.
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// Starts a new server on this one's data folder, API key and port (this one must have stopped or been killed).
    /// The new server takes over the data folder and deletes it when disposed.
    /// </summary>
    public async Task<ServerProcess> StartAgainAsync(IReadOnlyDictionary<string, string?>? environment = null, CancellationToken ct = default)
    {
        if (!_process.HasExited)
        {
            throw new InvalidOperationException("Stop or kill the server before starting it again on the same data.");
        }

        var next = await StartAsync(Options with
        {
            DataFolder = DataFolder,
            ApiKey = ApiKey,
            Port = Port,
            SmtpPort = SmtpPort,
            Environment = environment ?? Options.Environment,
        }, ct);
        next._ownsDataFolder = _ownsDataFolder;
        _ownsDataFolder = false;
        return next;
    }

    /// <summary>Asks the server to shut down (SIGTERM, as a service manager would) and waits for it to exit.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            // Windows has no SIGTERM for a console child we do not share a console with; killing is the only option.
            Kill();
            return;
        }

        if (SendSignal(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"Could not signal server process {_process.Id}: errno {Marshal.GetLastPInvokeError()}");
        }

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"The server did not shut down within {timeout ?? TimeSpan.FromSeconds(30)} of SIGTERM and was killed.\n{Log}");
        }

        // The no-argument wait also drains the redirected output, so the log is complete after a stop.
        _process.WaitForExit();
    }

    /// <summary>Ends the server at once, like a power cut: no shutdown hooks run.</summary>
    public void Kill()
    {
        if (_process.HasExited)
        {
            return;
        }

        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    await StopAsync(TimeSpan.FromSeconds(10));
                }
                catch (TimeoutException)
                {
                    // Already killed by StopAsync; disposal must not throw over a test's own failure.
                }
            }
        }
        finally
        {
            _process.Dispose();
            if (_ownsDataFolder)
            {
                TryDeleteFolder(DataFolder);
            }
        }
    }

    /// <summary>
    /// Runs <c>dotnet AgentMail.Review.Web.dll migrate</c> with the settings a server started with
    /// <paramref name="options"/> would have, and returns its exit code and output.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> MigrateAsync(ServerOptions options, TimeSpan? timeout = null)
    {
        await PublishedServer.EnsureAsync();
        var folder = options.DataFolder ?? Directory.CreateTempSubdirectory("agentmail-review-e2e-").FullName;
        try
        {
            var start = new ProcessStartInfo { FileName = DotnetHost(), WorkingDirectory = folder };
            SetEnvironment(start, options, FreeLoopbackPort(), options.ApiKey ?? $"am_e2e_{RandomNumberGenerator.GetHexString(32, lowercase: true)}", folder);
            var environment = start.Environment.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value!);
            return await ProcessRunner.RunAsync(DotnetHost(), [ServerDll, "migrate"], folder, timeout ?? TimeSpan.FromMinutes(2), environment: environment);
        }
        finally
        {
            if (options.DataFolder is null)
            {
                TryDeleteFolder(folder);
            }
        }
    }

    private static ServerProcess Launch(ServerOptions options, int port, int smtpPort, string apiKey, string dataFolder, bool ownsDataFolder)
    {
        var start = new ProcessStartInfo
        {
            FileName = DotnetHost(),
            // Relative paths in any setting land in the temp folder, never in the repository.
            WorkingDirectory = dataFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServerDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        SetEnvironment(start, options, smtpPort, apiKey, dataFolder);

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ServerProcess(process, options, port, smtpPort, apiKey, dataFolder, ownsDataFolder);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data is null ? null : $"[stderr] {e.Data}");
        if (!process.Start())
        {
            throw new ServerStartException($"Could not start {start.FileName} {ServerDll}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private static void SetEnvironment(ProcessStartInfo start, ServerOptions options, int smtpPort, string apiKey, string dataFolder)
    {
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        if (options.Postgres is { } postgres)
        {
            start.Environment["Review__Store__Provider"] = "Postgres";
            start.Environment["ConnectionStrings__Review"] = postgres;
            start.Environment["Review__Store__MigrateOnStart"] = options.MigrateOnStart ? "true" : "false";
        }
        else
        {
            start.Environment["ConnectionStrings__Review"] = $"Data Source={Path.Combine(dataFolder, "review.db")}";
        }

        if (options.Redis is { } redis)
        {
            start.Environment["ConnectionStrings__Redis"] = redis;
        }

        start.Environment["Review__DevApiKey"] = apiKey;
        // Sending mechanics are tested in inboxes without review unless a test asks for the product's default.
        start.Environment["Review__Policy__DefaultReviewRequired"] = "false";
        // Development's listener port (2525) fits one server per machine; every test server gets its own.
        start.Environment["Inbound__Smtp__Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Every SQL statement at Information would bury the lines that explain a failure.
        start.Environment["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command"] = "Warning";
        start.Environment["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        foreach (var (name, value) in options.Environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        var health = new Uri(BaseUrl, "/healthz");
        var clock = Stopwatch.StartNew();
        string lastProblem = "no answer yet";
        while (clock.Elapsed < timeout)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                _process.WaitForExit();
                throw new ServerStartException($"The server exited with code {_process.ExitCode} before /healthz answered 200.\n{Log}");
            }

            try
            {
                using var response = await Http.GetAsync(health, ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
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

            await Task.Delay(100, ct);
        }

        Kill();
        throw new ServerStartException($"The server did not become healthy within {timeout} ({lastProblem}).\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AddLast($"+{_sinceStart.Elapsed.TotalSeconds:0.0} s {line}");
            if (_log.Count > MaxKeptLogLines)
            {
                _log.RemoveFirst();
                _droppedLogLines++;
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The dotnet host running the tests (set by the SDK), so the server runs on the same runtime.</summary>
    public static string DotnetHost() =>
        System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentMail.Review.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No AgentMail.Review.sln above {AppContext.BaseDirectory}");
    }

    private static string FindConfiguration()
    {
        var configuration = typeof(ServerProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration;
        if (!string.IsNullOrEmpty(configuration))
        {
            return configuration;
        }

        // bin/<Configuration>/net10.0/
        return new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Debug";
    }

    private static void TryDeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; failing a test over it would not be.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}

public sealed class ServerStartException(string message) : Exception(message);
