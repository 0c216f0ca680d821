using AgentMail.Review.E2E.Support;
using Xunit.Abstractions;

namespace AgentMail.Review.E2E.SdkCompatibility;

/// <summary>One server and one npm install for every SDK scenario.</summary>
public sealed class SdkCompatibilityServer : IAsyncLifetime
{
    public static string ScenarioFolder { get; } = Path.Combine(ServerProcess.RepositoryRoot, "tests", "sdk-compat");

    public ServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Npm.EnsureInstalledAsync(ScenarioFolder);
        Server = await ServerProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

/// <summary>
/// Drives the running server through the official <c>agentmail</c> npm package (tests/sdk-compat), so "an agent only
/// changes its base URL" is checked against the SDK itself rather than our reading of the wire format.
/// </summary>
[Collection(TestStreams.Processes)]
public sealed class SdkCompatibilityTests(SdkCompatibilityServer fixture, ITestOutputHelper output) : IClassFixture<SdkCompatibilityServer>
{
    private const string Suffix = ".test.mjs";
    private static readonly TimeSpan ScenarioTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Every tests/sdk-compat/*.test.mjs, by name, so a new scenario file is picked up without touching this class.</summary>
    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(SdkCompatibilityServer.ScenarioFolder, $"*{Suffix}").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file)[..^Suffix.Length]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Official_agentmail_sdk_scenario_passes(string scenario)
    {
        var server = fixture.Server;
        var (exitCode, nodeOutput) = await ProcessRunner.RunAsync(
            "node",
            ["--test", "--test-reporter=spec", $"{scenario}{Suffix}"],
            SdkCompatibilityServer.ScenarioFolder,
            ScenarioTimeout,
            environment: new Dictionary<string, string>
            {
                ["AGENTMAIL_BASE_URL"] = server.BaseUrl.ToString().TrimEnd('/'),
                ["AGENTMAIL_API_KEY"] = server.ApiKey,
                ["AGENTMAIL_REVIEW_SMTP_PORT"] = server.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["NO_COLOR"] = "1",
                ["FORCE_COLOR"] = "0",
            });
        output.WriteLine(nodeOutput);

        Assert.True(
            exitCode == 0,
            $"SDK scenario {scenario}{Suffix} failed (node exit code {exitCode}).\n\n--- node --test output ---\n{nodeOutput}\n--- server log (tail) ---\n{Tail(server.Log, 150)}");
        Assert.False(server.HasExited, $"The server exited (code {server.ExitCode}) during scenario {scenario}.\n{server.Log}");
    }

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return all.Length <= lines ? text : string.Join('\n', all[^lines..]);
    }
}
