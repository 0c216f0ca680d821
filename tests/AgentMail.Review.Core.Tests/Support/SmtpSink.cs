using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MimeKit;

namespace AgentMail.Review.Core.Tests.Support;

/// <summary>
/// The real SMTP server in <c>tests/smtp-sink</c> (Node, npm <c>smtp-server</c>) run as a child process on a free
/// loopback port, keeping what it accepts in a fresh temporary folder. Its flags make it a faulty server (see
/// <c>sink.mjs</c>): <c>--fail-first n</c>, <c>--reject-data 554</c>, <c>--reject-rcpt address</c>,
/// <c>--silent-after-data</c>, <c>--drop-mid-data</c>, <c>--slow ms</c>, <c>--auth user:password</c>, <c>--tls</c>;
/// a server that is down is <see cref="UnusedLoopbackPort"/>.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _errors = new();

    private SmtpSink(Process process, string folder)
    {
        _process = process;
        Folder = folder;
    }

    public int Port { get; private set; }

    public string Folder { get; }

    /// <summary>Every refusal the server answered, in order, as "RCPT 550 bob@example.net" or "DATA 451".</summary>
    public IReadOnlyList<string> Refusals() => ReadLines("refusals.log");

    /// <summary>
    /// The Message-ID (without angle brackets; "-" for none) of every complete message the server received, in order:
    /// every message whose final "." arrived, whatever the server answered (accepted, refused, or no answer at all).
    /// </summary>
    public IReadOnlyList<string> ReceivedMessageIds() => ReadLines("received.log");

    /// <summary>
    /// How many complete messages with this Message-ID the server received, whatever it answered: with
    /// <c>--silent-after-data</c> a message the client never heard back about counts, a refused one counts too.
    /// Angle brackets are optional.
    /// </summary>
    public int CompleteMessagesWith(string messageId)
    {
        var wanted = messageId.Trim().TrimStart('<').TrimEnd('>');
        return ReceivedMessageIds().Count(id => string.Equals(id, wanted, StringComparison.Ordinal));
    }

    /// <summary>
    /// Messages cut off before their final "." (by <c>--drop-mid-data</c> or by the client going away), in order, as
    /// "&lt;Message-ID or -&gt; &lt;bytes received&gt; &lt;why&gt;". None of them is in <see cref="Received"/> or
    /// <see cref="ReceivedMessageIds"/>.
    /// </summary>
    public IReadOnlyList<string> PartialMessages() => ReadLines("partial.log");

    /// <summary>
    /// A loopback port nobody listens on, for a server that is down: the connection is refused. It was free a moment
    /// ago; nothing in the test run binds ports it did not ask the system for, so it stays free.
    /// </summary>
    public static int UnusedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the sink; <paramref name="arguments"/> are the sink's own flags (<c>--fail-first 2</c> and so on).</summary>
    public static async Task<SmtpSink> StartAsync(params string[] arguments)
    {
        var sinkDirectory = FindSinkDirectory();
        await EnsureInstalledAsync(sinkDirectory);

        var folder = Path.Combine(Path.GetTempPath(), "amr-smtp-sink", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = sinkDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "sink.mjs", "--port", "0", "--dir", folder }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node for the SMTP sink");
        var sink = new SmtpSink(process, folder);
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"the SMTP sink stopped before listening: {string.Join(Environment.NewLine, sink._errors)}"));
                return;
            }

            if (e.Data.StartsWith("listening ", StringComparison.Ordinal))
            {
                ready.TrySetResult(int.Parse(e.Data["listening ".Length..], System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                sink._errors.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            sink.Port = await ready.Task.WaitAsync(StartTimeout);
        }
        catch
        {
            await sink.DisposeAsync();
            throw;
        }

        return sink;
    }

    /// <summary>
    /// The messages the server kept, in order: those it accepted, and with <c>--silent-after-data</c> those it kept
    /// before falling silent. Refused and cut-off messages are not here.
    /// </summary>
    public IReadOnlyList<ReceivedMail> Received()
    {
        var received = new List<ReceivedMail>();
        for (var n = 1; File.Exists(Path.Combine(Folder, $"{n}.json")); n++)
        {
            var envelope = JsonSerializer.Deserialize<SinkEnvelope>(File.ReadAllText(Path.Combine(Folder, $"{n}.json")), JsonOptions)
                ?? throw new InvalidDataException($"{n}.json is empty");
            var raw = File.ReadAllBytes(Path.Combine(Folder, $"{n}.eml"));
            using var stream = new MemoryStream(raw);
            received.Add(new ReceivedMail(envelope.MailFrom, envelope.RcptTo, raw, MimeMessage.Load(stream)));
        }

        return received;
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
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp folder's own cleaning.
        }
    }

    private string[] ReadLines(string name)
    {
        var log = Path.Combine(Folder, name);
        return File.Exists(log) ? File.ReadAllLines(log).Where(l => l.Length > 0).ToArray() : [];
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record SinkEnvelope(string? MailFrom, List<string> RcptTo);

    private static string FindSinkDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "smtp-sink");
            if (File.Exists(Path.Combine(candidate, "sink.mjs")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"tests/smtp-sink not found above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// Runs <c>npm ci</c> once when the sink's packages are missing. Test classes run in parallel, and other test
    /// projects may start the sink too, so the install is guarded in-process and by a file lock across processes.
    /// </summary>
    private static async Task EnsureInstalledAsync(string sinkDirectory)
    {
        // npm writes node_modules/.package-lock.json last, so it means a finished install; older than the committed
        // package-lock.json means the pinned packages changed since.
        var installed = Path.Combine(sinkDirectory, "node_modules", ".package-lock.json");
        var locked = Path.Combine(sinkDirectory, "package-lock.json");
        bool UpToDate() => File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(locked);
        if (UpToDate())
        {
            return;
        }

        await InstallGate.WaitAsync();
        try
        {
            using var fileLock = await AcquireFileLockAsync(Path.Combine(sinkDirectory, ".install.lock"));
            if (UpToDate())
            {
                return;
            }

            var start = new ProcessStartInfo("npm")
            {
                WorkingDirectory = sinkDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "ci", "--no-audit", "--no-fund" })
            {
                start.ArgumentList.Add(argument);
            }

            using var npm = Process.Start(start) ?? throw new InvalidOperationException("could not start npm");
            var stdout = npm.StandardOutput.ReadToEndAsync();
            var stderr = npm.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(InstallTimeout);
            try
            {
                await npm.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                npm.Kill(entireProcessTree: true);
                throw new TimeoutException($"npm ci in {sinkDirectory} took longer than {InstallTimeout}");
            }

            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci in {sinkDirectory} failed ({npm.ExitCode}):{Environment.NewLine}{await stdout}{await stderr}");
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task<FileStream> AcquireFileLockAsync(string path)
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
                await Task.Delay(200);
            }
        }
    }
}

/// <summary>One message as the SMTP server received it: the envelope, the raw bytes, and the parsed message.</summary>
public sealed record ReceivedMail(string? MailFrom, IReadOnlyList<string> RcptTo, byte[] Raw, MimeMessage Message);
