using System.Diagnostics;
using System.Globalization;

namespace AgentMail.Review.Core.Tests.Support;

/// <summary>
/// A small tmpfs mounted on a fresh temporary folder: a real filesystem that really runs out of space (ENOSPC), for
/// full-disk tests. Needs Linux and the right to mount (root); <see cref="TmpfsFactAttribute"/> skips a test without.
/// Unmounted lazily on dispose, so a process still holding files there (a server being stopped) does not stop it.
/// </summary>
public sealed class TmpfsFolder : IDisposable
{
    private static readonly Lazy<string?> Unavailable = new(ProbeMount);

    private TmpfsFolder(string path) => Path = path;

    public string Path { get; }

    /// <summary>Why a tmpfs cannot be mounted here, or null when it can (found by mounting and unmounting one).</summary>
    public static string? WhyUnavailable => Unavailable.Value;

    public static TmpfsFolder Mount(int sizeKiB)
    {
        var path = Directory.CreateTempSubdirectory("amr-tmpfs-").FullName;
        var (exitCode, output) = Run("mount", "-t", "tmpfs", "-o", $"size={sizeKiB.ToString(CultureInfo.InvariantCulture)}k,mode=0755", "tmpfs", path);
        if (exitCode != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"mount -t tmpfs on {path} failed ({exitCode}): {output}");
        }

        return new TmpfsFolder(path);
    }

    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>
    /// Writes <paramref name="fileName"/> until the filesystem refuses another byte; returns how many bytes it took.
    /// Large blocks first, then single pages, so what is left is less than a page.
    /// </summary>
    public long Fill(string fileName)
    {
        long written = 0;
        // No buffering: every Write is one write(2), so the one that meets ENOSPC throws here, not at dispose.
        using var filler = new FileStream(System.IO.Path.Combine(Path, fileName), FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        foreach (var blockSize in new[] { 256 * 1024, 4096, 512 })
        {
            var block = new byte[blockSize];
            while (true)
            {
                try
                {
                    filler.Write(block);
                    written += blockSize;
                }
                catch (IOException)
                {
                    // ENOSPC: part of the block may have gone in; the next, smaller size takes what is left after it.
                    written = filler.Length;
                    filler.Seek(0, SeekOrigin.End);
                    break;
                }
            }
        }

        return written;
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path);
        }
        catch (IOException)
        {
            // Still busy after a lazy unmount: an empty folder in the temp directory is harmless.
        }
    }

    private static string? ProbeMount()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "tmpfs needs Linux";
        }

        try
        {
            using var probe = Mount(64);
            return null;
        }
        catch (Exception e)
        {
            return $"cannot mount a tmpfs here (it needs root): {e.Message}";
        }
    }

    private static (int ExitCode, string Output) Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, (stdout.Result + stderr).Trim());
    }
}

/// <summary>A fact that needs a real full disk: skipped, saying why, where a tmpfs cannot be mounted.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (TmpfsFolder.WhyUnavailable is { } why)
        {
            Skip = why;
        }
    }
}
