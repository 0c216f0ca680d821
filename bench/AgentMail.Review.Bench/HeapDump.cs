using System.Diagnostics;

namespace AgentMail.Review.Bench;

/// <summary>
/// A .gcdump of a running process through the repository's dotnet-gcdump tool (dotnet-tools.json), for a closer
/// look at what the objects are: <c>dotnet gcdump report FILE</c> lists them by type.
/// </summary>
public static class HeapDump
{
    public static async Task<string?> WriteAsync(int processId, string path, CancellationToken ct)
    {
        var start = new ProcessStartInfo
        {
            FileName = DotnetHost(),
            WorkingDirectory = ServerLauncher.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "tool", "run", "dotnet-gcdump", "collect", "-p", processId.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", path, "--timeout", "120" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return process.ExitCode == 0 && File.Exists(path)
            ? null
            : $"dotnet-gcdump exited with {process.ExitCode} (run dotnet tool restore first): {(await errors).Trim()} {(await output).Trim()}";
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
