using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentMail.Review.Core.Tests.Support;
using AgentMail.Review.E2E.Support;
using Xunit.Abstractions;

namespace AgentMail.Review.E2E.Sending;

/// <summary>The sending engine in the real server process: on time, and exactly once across a hard kill.</summary>
[Collection(TestStreams.Alone)]
public sealed class ScheduledSendE2ETests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_draft_scheduled_five_seconds_ahead_leaves_within_a_second_of_its_send_time()
    {
        await using var server = await ServerProcess.StartAsync();
        using var api = AgentApi.Client(server);
        var inbox = await api.CreateInboxAsync();
        var sendAt = DateTime.UtcNow.AddSeconds(5);
        var draft = await api.PostJsonAsync($"/v0/inboxes/{inbox}/drafts", new { to = new[] { "bob@example.com" }, subject = "on time", send_at = sendAt.ToString("O") });
        var scheduledFor = DateTime.Parse(draft["send_at"]!.GetValue<string>()).ToUniversalTime();

        var message = await WaitForAsync(async () =>
        {
            var list = await api.GetJsonAsync($"/v0/inboxes/{inbox}/messages");
            return list["messages"]!.AsArray().FirstOrDefault()?.AsObject();
        }, TimeSpan.FromSeconds(20), server);

        var sentAt = DateTime.Parse(message["timestamp"]!.GetValue<string>()).ToUniversalTime();
        output.WriteLine($"send_at {scheduledFor:O}, sent {sentAt:O}, late by {(sentAt - scheduledFor).TotalMilliseconds} ms");
        Assert.InRange(sentAt - scheduledFor, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Twenty_drafts_scheduled_across_a_kill_9_are_each_delivered_exactly_once()
    {
        await using var sink = await SmtpSink.StartAsync();
        var smtp = new Dictionary<string, string?>
        {
            ["Delivery__Transport"] = "Smtp",
            ["Delivery__Smtp__Host"] = "127.0.0.1",
            ["Delivery__Smtp__Port"] = sink.Port.ToString(),
            ["Delivery__Smtp__Security"] = "None",
        };
        var first = await ServerProcess.StartAsync(new ServerOptions { Environment = smtp });
        var draftIds = new List<string>();
        string inbox;
        using (var api = AgentApi.Client(first))
        {
            inbox = await api.CreateInboxAsync();
            var sendAt = DateTime.UtcNow.AddSeconds(12).ToString("O");
            for (var i = 0; i < 20; i++)
            {
                var draft = await api.PostJsonAsync($"/v0/inboxes/{inbox}/drafts", new { to = new[] { $"customer{i}@example.com" }, subject = $"batch {i}", send_at = sendAt });
                draftIds.Add(draft["draft_id"]!.GetValue<string>());
            }
        }

        first.Kill();
        Assert.Empty(sink.Received());
        await using var second = await first.StartAgainAsync();
        using var restartedApi = AgentApi.Client(second);

        await WaitForAsync(() => Task.FromResult(sink.Received().Count >= 20 ? (object?)true : null), TimeSpan.FromSeconds(40), second);
        // Anything sent twice would arrive in the moments after the twentieth message.
        await Task.Delay(TimeSpan.FromSeconds(3));

        var received = sink.Received();
        Assert.Equal(20, received.Count);
        Assert.Equal(draftIds.Select(id => $"{id}@example.com").Order(), received.Select(m => m.Message.MessageId).Order());
        var remaining = await restartedApi.GetJsonAsync($"/v0/inboxes/{inbox}/drafts");
        Assert.Equal(0, remaining["count"]!.GetValue<int>());
        var messages = await restartedApi.GetJsonAsync($"/v0/inboxes/{inbox}/messages?limit=100");
        Assert.Equal(20, messages["count"]!.GetValue<int>());
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, ServerProcess server) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"nothing arrived within {timeout.TotalSeconds} s; server log:\n{server.Log}");
            await Task.Delay(100);
        }
    }
}
