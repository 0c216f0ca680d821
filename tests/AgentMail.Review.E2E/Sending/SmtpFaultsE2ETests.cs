using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentMail.Review.Core.Tests.Support;
using AgentMail.Review.E2E.Support;
using Xunit.Abstractions;

namespace AgentMail.Review.E2E.Sending;

/// <summary>
/// The real server delivering through a misbehaving SMTP server, sent to the way the official SDKs send: a 408, 409,
/// 429 or 5xx answer is asked again, up to three calls. Whatever the fault, the server may have delivered each message
/// at most once — counting every complete message it did not refuse, so one it never answered counts as delivered —
/// and the draft ends where a person can see what happened.
/// </summary>
[Collection(TestStreams.Processes)]
public sealed class SmtpFaultsE2ETests(ITestOutputHelper output)
{
    public static TheoryData<string, string[], string, int> Faults => new()
    {
        // mode, sink flags, how the draft ends, messages the server may have delivered
        { "down", [], "failed", 0 },
        { "slow", ["--slow", "300"], "sent", 1 },
        { "silent after DATA", ["--silent-after-data"], "failed", 1 },
        { "drop mid-DATA", ["--drop-mid-data"], "failed", 0 },
        { "4xx then 2xx", ["--fail-first", "1", "--fail-code", "451"], "sent", 1 },
        { "5xx", ["--reject-data", "554"], "failed", 0 },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Each_message_reaches_the_server_at_most_once_when_sent_as_the_sdks_send(string mode, string[] flags, string ends, int mayHaveDelivered)
    {
        await using var sink = await SmtpSink.StartAsync(flags);
        var port = mode == "down" ? SmtpSink.UnusedLoopbackPort() : sink.Port;
        await using var server = await ServerProcess.StartAsync(new ServerOptions
        {
            Environment = new Dictionary<string, string?>
            {
                ["Delivery__Transport"] = "Smtp",
                ["Delivery__Smtp__Host"] = "127.0.0.1",
                ["Delivery__Smtp__Port"] = port.ToString(),
                ["Delivery__Smtp__Security"] = "None",
                ["Delivery__Smtp__Timeout"] = "00:00:03",
                ["Delivery__MaxAttempts"] = "3",
                ["Delivery__FirstRetryDelay"] = "00:00:00.500",
            },
        });
        using var api = AgentApi.Client(server);
        var inbox = (await api.PostJsonAsync("/v0/inboxes", new { username = $"faults-{Guid.NewGuid():N}"[..16], domain = "example.com" }))["inbox_id"]!.GetValue<string>();
        var draft = await api.PostJsonAsync($"/v0/inboxes/{inbox}/drafts", new { to = new[] { "bob@example.net" }, subject = $"through {mode}", text = "Hello." });
        var draftId = draft["draft_id"]!.GetValue<string>();
        var messageId = $"<{draftId}@example.com>";

        var answers = await SendAsTheSdksDoAsync(api, $"/v0/inboxes/{inbox}/drafts/{draftId}/send");
        var state = await SettledStateAsync(api, inbox, draftId, server);
        // A second delivery would follow a retry within moments.
        await Task.Delay(TimeSpan.FromSeconds(2));

        var complete = sink.CompleteMessagesWith(messageId);
        var refusedAfterData = sink.Refusals().Count(r => r.StartsWith("DATA ", StringComparison.Ordinal));
        output.WriteLine($"{mode}: answers {string.Join(", ", answers.Select(a => (int)a))}; draft {state}; complete messages {complete}, refused after DATA {refusedAfterData}; partial {sink.PartialMessages().Count}");
        Assert.Equal(mayHaveDelivered, complete - refusedAfterData);
        Assert.InRange(complete - refusedAfterData, 0, 1);
        Assert.Equal(ends, state.Split(':')[0]);
        if (mode == "silent after DATA")
        {
            Assert.Contains("delivery uncertain", state);
        }

        // Every answer about the send was final or "accepted": none that invites the SDKs to try again.
        Assert.All(answers, a => Assert.Contains(a, new[] { HttpStatusCode.OK, HttpStatusCode.Accepted, HttpStatusCode.UnprocessableEntity }));
    }

    /// <summary>The official SDKs' behaviour: a 408, 409, 429 or 5xx answer is retried, three calls at most.</summary>
    private static async Task<List<HttpStatusCode>> SendAsTheSdksDoAsync(HttpClient api, string url)
    {
        var answers = new List<HttpStatusCode>();
        for (var call = 0; call < 3; call++)
        {
            var response = await api.PostAsJsonAsync(url, new { });
            answers.Add(response.StatusCode);
            var status = (int)response.StatusCode;
            if (status is not (408 or 409 or 429) && status < 500)
            {
                break;
            }
        }

        return answers;
    }

    /// <summary>"sent" once the draft became a Message, "failed: reason" once it failed for good.</summary>
    private static async Task<string> SettledStateAsync(HttpClient api, string inbox, string draftId, ServerProcess server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (true)
        {
            var response = await api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draftId}");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return "sent";
            }

            var draft = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
            if (draft["send_status"]?.GetValue<string>() == "failed")
            {
                return $"failed: {draft["failure_reason"]?.GetValue<string>()}";
            }

            Assert.True(DateTime.UtcNow < deadline, $"draft {draftId} did not settle: {draft.ToJsonString()}\n{server.Log}");
            await Task.Delay(100);
        }
    }
}
