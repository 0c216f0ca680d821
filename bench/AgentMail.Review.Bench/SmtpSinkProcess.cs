using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentMail.Review.Bench;

/// <summary>
/// The test SMTP server in <c>tests/smtp-sink</c> (Node, npm <c>smtp-server</c>, pinned) on a free loopback port,
/// answering every message at once and keeping it as files in a folder of the bench's choosing. Started with
/// <c>--greet-at-once</c>: a fast mail server, so a send's figures show the SMTP conversation itself, not smtp-server's
/// 100 ms pause before each greeting. Its <c>received.log</c> has one line per complete message (its Message-ID),
/// written before the answer goes out.
/// </summary>
public sealed class SmtpSinkProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    private readonly Process _process;
    private readonly List<string> _errors = [];

    private SmtpSinkProcess(Process process, string folder)
    {
        _process = process;
        Folder = folder;
    }

    public int Port { get; private set; }

    public string Folder { get; }

    public int ProcessId => _process.Id;

    public static string SinkDirectory => Path.Combine(ServerLauncher.RepositoryRoot, "tests", "smtp-sink");

    /// <summary>The Message-ID (without angle brackets) of every complete message the server received, in order.</summary>
    public const string ProbeDomain = "bench.invalid";

    public IReadOnlyList<string> ReceivedMessageIds()
    {
        var log = Path.Combine(Folder, "received.log");
        return File.Exists(log) ? File.ReadAllLines(log).Where(l => l.Length > 0).ToArray() : [];
    }

    public static async Task<SmtpSinkProcess> StartAsync(string folder, CancellationToken ct)
    {
        await EnsureInstalledAsync(ct);
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = SinkDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "sink.mjs", "--port", "0", "--dir", folder, "--greet-at-once" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node for the SMTP sink");
        var sink = new SmtpSinkProcess(process, folder);
        CpuWatch.Track(process.Id);
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"the SMTP sink stopped before listening: {sink.Errors()}"));
            }
            else if (e.Data.StartsWith("listening ", StringComparison.Ordinal))
            {
                ready.TrySetResult(int.Parse(e.Data["listening ".Length..], CultureInfo.InvariantCulture));
            }

            // "accepted <n>" for every message: not kept, there are thousands.
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (sink._errors)
                {
                    sink._errors.Add(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            sink.Port = await ready.Task.WaitAsync(StartTimeout, ct);
        }
        catch
        {
            await sink.DisposeAsync();
            throw;
        }

        Console.WriteLine($"  [SMTP sink pid {process.Id} on port {sink.Port}]");
        return sink;
    }

    /// <summary>
    /// The baseline for a send through SMTP: whole conversations (connect, greeting, EHLO, MAIL, RCPT, DATA, QUIT) with
    /// the sink from this process, one at a time and without pipelining, with a message of a draft's size. Their
    /// Message-IDs are <c>probe-n@bench.invalid</c>, so they are told apart from the server's.
    /// </summary>
    public async Task<List<double>> TimeConversationsAsync(int count, CancellationToken ct)
    {
        const int warmup = 5;
        var body = string.Concat(Enumerable.Repeat("Hello, your order ships today. Tracking follows in a separate email.\r\n", 10));
        var samples = new List<double>(count);
        for (var i = 0; i < count + warmup; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var tcp = new TcpClient { NoDelay = true })
            {
                await tcp.ConnectAsync(IPAddress.Loopback, Port, ct);
                await using var stream = tcp.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                async Task Say(string line, string expected)
                {
                    if (line.Length > 0)
                    {
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(line), ct);
                    }

                    string? reply;
                    do
                    {
                        reply = await reader.ReadLineAsync(ct) ?? throw new InvalidOperationException($"the SMTP sink closed the connection after {line.Trim()}");
                    }
                    while (reply.Length > 3 && reply[3] == '-');

                    if (!reply.StartsWith(expected, StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException($"the SMTP sink answered {line.Trim()} with {reply}");
                    }
                }

                await Say("", "220");
                await Say($"EHLO {ProbeDomain}\r\n", "250");
                await Say($"MAIL FROM:<bench@{ProbeDomain}>\r\n", "250");
                await Say("RCPT TO:<customer@example.com>\r\n", "250");
                await Say("DATA\r\n", "354");
                await Say($"From: bench@{ProbeDomain}\r\nTo: customer@example.com\r\nSubject: Your order\r\nMessage-ID: <probe-{i}@{ProbeDomain}>\r\n\r\n{body}.\r\n", "250");
                await Say("QUIT\r\n", "221");
            }

            if (i >= warmup)
            {
                samples.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return samples;
    }

    public async ValueTask DisposeAsync()
    {
        // Closing stdin is how the sink knows to stop; killing is only for one that does not.
        try
        {
            _process.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private string Errors()
    {
        lock (_errors)
        {
            return string.Join(Environment.NewLine, _errors);
        }
    }

    /// <summary>
    /// Runs <c>npm ci</c> when the sink's pinned packages are missing, as the delivery tests do, under the same file lock
    /// so that a test run installing at the same moment is waited for rather than raced.
    /// </summary>
    private static async Task EnsureInstalledAsync(CancellationToken ct)
    {
        // npm writes node_modules/.package-lock.json last, so it means a finished install; older than the committed
        // package-lock.json means the pinned packages changed since.
        var installed = Path.Combine(SinkDirectory, "node_modules", ".package-lock.json");
        var locked = Path.Combine(SinkDirectory, "package-lock.json");
        bool UpToDate() => File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(locked);
        if (UpToDate())
        {
            return;
        }

        using var fileLock = await AcquireFileLockAsync(Path.Combine(SinkDirectory, ".install.lock"), ct);
        if (UpToDate())
        {
            return;
        }

        Console.WriteLine($"  [installing the SMTP sink's packages: npm ci in {SinkDirectory}]");
        var start = new ProcessStartInfo("npm")
        {
            WorkingDirectory = SinkDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "ci", "--no-audit", "--no-fund" })
        {
            start.ArgumentList.Add(argument);
        }

        using var npm = Process.Start(start) ?? throw new InvalidOperationException("could not start npm");
        var stdout = npm.StandardOutput.ReadToEndAsync(ct);
        var stderr = npm.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(InstallTimeout);
        try
        {
            await npm.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            npm.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"npm ci in {SinkDirectory} took longer than {InstallTimeout}");
        }

        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in {SinkDirectory} failed ({npm.ExitCode}):{Environment.NewLine}{await stdout}{await stderr}");
        }
    }

    private static async Task<FileStream> AcquireFileLockAsync(string path, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < InstallTimeout)
            {
                await Task.Delay(200, ct);
            }
        }
    }
}
