using AgentMail.Review.E2E.Support;

namespace AgentMail.Review.E2E.Deployment;

/// <summary>
/// The published server started outside its own folder, as a service manager starts it (the working directory is its
/// data folder): it still takes the settings shipped next to its binaries.
/// </summary>
[Collection(TestStreams.Processes)]
public sealed class PublishedSettingsE2ETests
{
    [Fact]
    public async Task A_server_started_in_its_data_folder_takes_the_log_levels_shipped_beside_its_binaries()
    {
        await using var server = await ServerProcess.StartAsync();
        Assert.False(File.Exists(Path.Combine(server.DataFolder, "appsettings.json")), "the data folder has no settings of its own");
        using var api = AgentApi.Client(server);
        await api.CreateInboxAsync();
        await server.StopAsync();

        // appsettings.json next to the binaries sets Microsoft.AspNetCore to Warning: without it, every request logs
        // "Request starting" at Information.
        Assert.Contains("Application started", server.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Microsoft.AspNetCore.Hosting.Diagnostics", server.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Microsoft.AspNetCore.Routing.EndpointMiddleware", server.Log, StringComparison.Ordinal);
    }
}
