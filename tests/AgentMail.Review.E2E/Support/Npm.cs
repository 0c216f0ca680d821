using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace AgentMail.Review.E2E.Support;

/// <summary>Installs a Node package folder's locked dependencies once, however many test classes ask at the same time.</summary>
public static class Npm
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Runs <c>npm ci</c> in <paramref name="folder"/> unless its node_modules already matches package-lock.json.</summary>
    public static async Task EnsureInstalledAsync(string folder, CancellationToken ct = default)
    {
        folder = Path.GetFullPath(folder);
        if (IsInstalled(folder))
        {
            return;
        }

        // Test classes run in parallel and test runs can overlap; an OS file lock serialises them all, and the lock file
        // lives in the temp folder so nothing is left in the repository.
        await using var gate = await AcquireLockAsync(folder, ct);
        if (IsInstalled(folder))
        {
            return;
        }

        var (exitCode, output) = await ProcessRunner.RunAsync(NpmExecutable(), ["ci", "--no-audit", "--no-fund"], folder, InstallTimeout, ct);
        if (exitCode != 0 || !IsInstalled(folder))
        {
            throw new InvalidOperationException($"npm ci in {folder} failed with exit code {exitCode}:\n{output}");
        }
    }

    /// <summary>npm writes node_modules/.package-lock.json last, so its presence means a finished install of this lock.</summary>
    private static bool IsInstalled(string folder)
    {
        var installed = new FileInfo(Path.Combine(folder, "node_modules", ".package-lock.json"));
        var locked = new FileInfo(Path.Combine(folder, "package-lock.json"));
        return installed.Exists && (!locked.Exists || installed.LastWriteTimeUtc >= locked.LastWriteTimeUtc);
    }

    private static async Task<FileStream> AcquireLockAsync(string folder, CancellationToken ct)
    {
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(folder)))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"agentmail-review-npm-{name}.lock");
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < InstallTimeout)
            {
                await Task.Delay(250, ct);
            }
        }
    }

    private static string NpmExecutable() => OperatingSystem.IsWindows() ? "npm.cmd" : "npm";
}
