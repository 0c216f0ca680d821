using System.Diagnostics;
using System.Globalization;

namespace AgentMail.Review.Core.Tests.Support;

/// <summary>
/// A small tmpfs mounted on a fresh temporary folder: a real filesystem that really runs out of space (ENOSPC), for
/// full-disk tests. Needs Linux and the right to mount (root); a test without it fails, saying why (.ci/run runs as root).
/// Unmounted lazily on dispose, so a process still holding files there (a server being stopped) does not stop it.
/// </summary>
public sealed class TmpfsFolder : IDisposable
{
    private TmpfsFolder(string path) => Path = path;

    public string Path { get; }

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
