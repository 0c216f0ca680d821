using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentMail.Review.Core.Tests.Support;
using AgentMail.Review.E2E.Support;
using Xunit.Abstractions;

namespace AgentMail.Review.E2E.Storage;

/// <summary>The real server with its SQLite file on a small tmpfs that fills up and empties again, without a restart.</summary>
[Collection(TestStreams.Processes)]
public sealed class StorageFullE2ETests(ITestOutputHelper output)
{
    private static readonly string Big = new('x', 1024 * 1024);

    [Fact]
    public async Task Full_disk_answers_507_StorageFullError_and_unhealthy_then_recovers_once_space_is_freed_without_a_restart()
    {
        using var disk = TmpfsFolder.Mount(sizeKiB: 8 * 1024);
        var clock = Stopwatch.StartNew();
        await using var server = await ServerProcess.StartAsync(new ServerOptions { DataFolder = disk.Path });
        output.WriteLine($"server healthy after {clock.ElapsedMilliseconds} ms");
        using var api = AgentApi.Client(server);
        var inbox = (await api.PostJsonAsync("/v0/inboxes", new { username = "full", domain = "example.com" }))["inbox_id"]!.GetValue<string>();
        var drafts = $"/v0/inboxes/{inbox}/drafts";
        for (var i = 0; i < 2; i++)
        {
            await api.PostJsonAsync(drafts, new { to = new[] { "bob@example.com" }, subject = $"before {i}" });
        }

        var filled = disk.Fill("filler");
        output.WriteLine($"filler took {filled} bytes; {disk.FreeBytes} left");

        // The write-ahead log may still have room from earlier writes; large drafts use it up.
        var createdWhileFull = 0;
        JsonObject? refusal = null;
        for (; createdWhileFull < 30 && refusal is null; createdWhileFull++)
        {
            clock.Restart();
            using var response = await api.PostAsJsonAsync(drafts, new { to = new[] { "bob@example.com" }, subject = $"while full {createdWhileFull}", text = Big });
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.InsufficientStorage)
            {
                refusal = JsonNode.Parse(body)!.AsObject();
                break;
            }

            Assert.True(response.IsSuccessStatusCode, $"expected 200 or 507, got {(int)response.StatusCode} {body}");
        }

        Assert.NotNull(refusal);
        output.WriteLine($"{createdWhileFull} large drafts went in before one answered 507 (in {clock.ElapsedMilliseconds} ms): {refusal.ToJsonString()}");
        Assert.Equal("StorageFullError", refusal["name"]!.GetValue<string>());
        Assert.StartsWith("storage full: ", refusal["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using (var health = await api.GetAsync("/healthz"))
        {
            output.WriteLine($"/healthz while full: {(int)health.StatusCode} {await health.Content.ReadAsStringAsync()}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        }

        // Reads keep working, and the refused draft is not there.
        var list = await api.GetJsonAsync($"{drafts}?limit=100");
        var subjects = list["drafts"]!.AsArray().Select(d => d!["subject"]!.GetValue<string>()).ToList();
        Assert.Equal(2 + createdWhileFull, list["count"]!.GetValue<int>());
        Assert.DoesNotContain($"while full {createdWhileFull}", subjects);

        File.Delete(Path.Combine(disk.Path, "filler"));

        using (var health = await api.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        clock.Restart();
        var after = await api.PostJsonAsync(drafts, new { to = new[] { "bob@example.com" }, subject = "after", text = Big });
        output.WriteLine($"a large draft after the filler went: created in {clock.ElapsedMilliseconds} ms");
        Assert.Equal("after", (await api.GetJsonAsync($"{drafts}/{after["draft_id"]!.GetValue<string>()}"))["subject"]!.GetValue<string>());
        using (var health = await api.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        // The same process all along: it neither stopped nor was restarted.
        Assert.False(server.HasExited, server.Log);
        Assert.Contains("A write to the store was refused: the disk holding", server.Log, StringComparison.Ordinal);
        Assert.Contains("The store takes writes again", server.Log, StringComparison.Ordinal);
    }
}
