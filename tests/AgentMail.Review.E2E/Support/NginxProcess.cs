using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace AgentMail.Review.E2E.Support;

/// <summary>
/// Debian's nginx (installed by <c>.ci/services</c>) as a child process in front of test servers, running the
/// shipped <c>docs/nginx.conf</c> with only its upstream servers and its listen port replaced. Everything nginx
/// writes (pid, logs, temp files) stays in a temp folder; nothing system-wide is touched.
/// </summary>
public sealed partial class NginxProcess : IAsyncDisposable
{
    public const string NginxPath = "/usr/sbin/nginx";

    private readonly Process _process;

    private NginxProcess(Process process, string folder, int port)
    {
        _process = process;
        Folder = folder;
        Port = port;
        BaseUrl = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseUrl { get; }

    public int Port { get; }

    public string Folder { get; }

    public string ErrorLog => ReadOrEmpty(Path.Combine(Folder, "error.log"));

    public static string ShippedConfig => Path.Combine(ServerProcess.RepositoryRoot, "docs", "nginx.conf");

    /// <summary>
    /// Starts nginx on <paramref name="port"/> (from <see cref="FreeLoopbackPort"/>: servers that must know the
    /// proxy's address get it before nginx starts) proxying to the given servers, and waits until it accepts
    /// connections.
    /// </summary>
    public static async Task<NginxProcess> StartAsync(int port, params ServerProcess[] upstreams)
    {
        if (!File.Exists(NginxPath))
        {
            throw new InvalidOperationException($"nginx is not installed at {NginxPath}; `. .ci/services` installs it (Debian's nginx package).");
        }

        var folder = Directory.CreateTempSubdirectory("agentmail-review-nginx-").FullName;
        // nginx's workers run as nobody when the tests run as root: they must reach the folder (not the files).
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                     | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        File.WriteAllText(Path.Combine(folder, "agentmail-review.conf"), Adapt(File.ReadAllText(ShippedConfig), port, upstreams.Select(u => u.Port).ToList()));
        File.WriteAllText(Path.Combine(folder, "nginx.conf"), $$"""
            daemon off;
            master_process on;
            worker_processes 1;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log info;
            events { worker_connections 1024; }
            http {
                access_log {{folder}}/access.log;
                client_body_temp_path {{folder}}/client_body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                include {{folder}}/agentmail-review.conf;
            }
            """);

        var start = new ProcessStartInfo(NginxPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-p", folder, "-e", Path.Combine(folder, "error.log"), "-c", Path.Combine(folder, "nginx.conf") })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start nginx");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var nginx = new NginxProcess(process, folder, port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (process.HasExited)
            {
                await nginx.DisposeAsync();
                throw new InvalidOperationException($"nginx exited with code {process.ExitCode} at start:\n{nginx.ErrorLog}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return nginx;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>
    /// The shipped config with the test's listen port and upstream servers (each keeping the shipped parameters).
    /// Fails loudly if the file no longer has the shape this relies on, rather than testing some other config.
    /// </summary>
    public static string Adapt(string shipped, int port, IReadOnlyList<int> upstreamPorts)
    {
        var servers = UpstreamServer().Matches(shipped);
        var listens = Listen().Matches(shipped);
        if (servers.Count == 0 || listens.Count != 1)
        {
            throw new InvalidOperationException($"{ShippedConfig} should have `server 127.0.0.1:<port> ...;` lines in its upstream and one `listen <port>;`");
        }

        var parameters = servers[0].Groups["parameters"].Value;
        var indent = servers[0].Groups["indent"].Value;
        var replacement = string.Join("\n", upstreamPorts.Select(p => $"{indent}server 127.0.0.1:{p}{parameters};"));
        var adapted = shipped[..servers[0].Index] + replacement + shipped[(servers[^1].Index + servers[^1].Length)..];
        return Listen().Replace(adapted, $"${{indent}}listen 127.0.0.1:{port};", 1);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // The master and its worker: nothing of nginx outlives the test.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^(?<indent>[ \t]*)server 127\.0\.0\.1:\d+(?<parameters>[^;\n]*);[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex UpstreamServer();

    [GeneratedRegex(@"^(?<indent>[ \t]*)listen \d+;", RegexOptions.Multiline)]
    private static partial Regex Listen();
}
