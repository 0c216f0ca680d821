using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace AgentMail.Review.Bench;

/// <summary>What the numbers were measured on: they mean little without it.</summary>
public static class Machine
{
    public static MachineInfo Describe() => new(
        Environment.ProcessorCount,
        Memory(),
        CpuModel(),
        OperatingSystem(),
        $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})",
        SqliteVersion());

    /// <summary>The 1, 5 and 15 minute load averages: anything else running on the machine shows here.</summary>
    public static string LoadAverage()
    {
        var line = ReadLines("/proc/loadavg").FirstOrDefault();
        return line is null ? "unknown" : string.Join(' ', line.Split(' ').Take(3));
    }

    /// <summary>The server's revision when the repository is a git checkout, else null.</summary>
    public static string? GitRevision(string repository)
    {
        try
        {
            var start = new ProcessStartInfo("git", ["-C", repository, "describe", "--always", "--dirty"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var git = Process.Start(start);
            if (git is null)
            {
                return null;
            }

            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit(5000);
            return git.ExitCode == 0 && output.Length > 0 ? $"git {output}" : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string Memory()
    {
        var line = ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb))
        {
            return $"{kb / 1024.0 / 1024.0:0.0} GiB RAM";
        }

        return $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024.0 / 1024.0:0.0} GiB available to .NET";
    }

    private static string CpuModel()
    {
        var line = ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':') + 1)..].Trim();
    }

    private static string OperatingSystem()
    {
        var pretty = ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
        var name = pretty is null ? RuntimeInformation.OSDescription : pretty["PRETTY_NAME=".Length..].Trim('"');
        var kernel = System.Environment.OSVersion.Version;
        return $"{name}, kernel {kernel}";
    }

    private static string SqliteVersion()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "select sqlite_version()";
        return command.ExecuteScalar() as string ?? "unknown";
    }

    private static IEnumerable<string> ReadLines(string path) => File.Exists(path) ? File.ReadLines(path) : [];
}
