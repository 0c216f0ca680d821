using System.Runtime.InteropServices;

namespace AgentMail.Review.E2E.Support;

/// <summary>
/// The server the end-to-end tests run, built as an operator deploys it: <c>dotnet publish -c Release -r &lt;rid&gt;</c>,
/// which the Web project compiles ahead of time (ReadyToRun). Published once per test run, on first use, after the
/// solution's own build; the Development settings file is put next to it, as the build does for <c>dotnet run</c>.
/// </summary>
public static class PublishedServer
{
    private static readonly Lazy<Task> Published = new(PublishAsync);

    public static string Folder { get; } = Path.Combine(ServerProcess.RepositoryRoot, "artifacts", "e2e-server");

    public static string Dll { get; } = Path.Combine(Folder, "AgentMail.Review.Web.dll");

    /// <summary>Publishes the server the first time it is asked for in this test run; later calls wait for that.</summary>
    public static Task EnsureAsync() => Published.Value;

    /// <summary>The runtime the tests run on, as the SDK's runtime packs name it (<c>linux-x64</c>, <c>osx-arm64</c>).</summary>
    public static string RuntimeIdentifier
    {
        get
        {
            var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            return $"{os}-{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";
        }
    }

    private static async Task PublishAsync()
    {
        var project = Path.Combine(ServerProcess.RepositoryRoot, "src", "AgentMail.Review.Web", "AgentMail.Review.Web.csproj");
        var (exitCode, output) = await ProcessRunner.RunAsync(
            ServerProcess.DotnetHost(),
            ["publish", project, "-c", "Release", "-r", RuntimeIdentifier, "-o", Folder, "--nologo", "-v", "quiet"],
            ServerProcess.RepositoryRoot,
            TimeSpan.FromMinutes(10));
        if (exitCode != 0 || !File.Exists(Dll))
        {
            throw new InvalidOperationException($"Publishing the server to {Folder} failed (exit {exitCode}):\n{output}");
        }

        // Publishing leaves the development settings out on purpose; these tests run the server in Development.
        File.Copy(Path.Combine(ServerProcess.RepositoryRoot, "appsettings.Development.json"), Path.Combine(Folder, "appsettings.Development.json"), overwrite: true);
    }
}
