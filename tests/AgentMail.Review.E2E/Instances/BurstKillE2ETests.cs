using System.Text.Json.Nodes;
using AgentMail.Review.E2E.Support;
using Xunit.Abstractions;

namespace AgentMail.Review.E2E.Instances;

/// <summary>Exactly once across instances: a burst shared by two instances, one of them killed in the middle of it.</summary>
[Collection(TestStreams.Alone)]
public sealed class BurstKillE2ETests(ITestOutputHelper output)
{
    /// <summary>5,000, as the issue asks; REVIEW_TEST_BURST sets another size for a quick look on a busy machine.</summary>
    private static readonly int Burst = int.TryParse(Environment.GetEnvironmentVariable("REVIEW_TEST_BURST"), out var size) && size >= 100 ? size : 5_000;
    private const int Creators = 8;
    private const int Measure = 200;
    private const string Uncertain = "delivery uncertain";

    [Fact]
    public async Task Five_thousand_drafts_due_in_one_second_with_one_of_two_instances_killed_mid_burst_are_each_delivered_once_or_failed_uncertain_and_none_is_lost()
    {
        // 5,000 creates in seconds are past the per-key rate limit, which this test is not about.
        await using var instances = await TwoInstances.StartAsync(new Dictionary<string, string?> { ["Review__RateLimit__Enabled"] = "false" }, nginx: false);
        using var onA = TwoInstances.Api(instances.A);
        var inbox = await onA.CreateInboxAsync("burst");

        // Every draft is due in the same second, far enough ahead for all of them to be created first: how far is
        // measured on this machine once the server is warm, with pending drafts in another inbox that nothing here sends.
        var warmUp = await onA.CreateInboxAsync("warmup");
        var test = System.Diagnostics.Stopwatch.StartNew();
        await CreateAsync(onA, warmUp, Measure, _ => null, _ => { });
        var measuring = System.Diagnostics.Stopwatch.StartNew();
        await CreateAsync(onA, warmUp, Measure, _ => null, _ => { });
        var perDraft = measuring.Elapsed / Measure;
        var sendAt = DateTime.UtcNow + perDraft * Burst * 1.25 + TimeSpan.FromSeconds(5);
        sendAt = new DateTime(sendAt.Ticks - sendAt.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        var draftIds = new System.Collections.Concurrent.ConcurrentBag<string>();
        var late = 0;
        await CreateAsync(onA, inbox, Burst, _ =>
        {
            // Should this machine slow down past the estimate, the rest are due a moment later instead.
            var soonest = DateTime.UtcNow.AddSeconds(2);
            if (soonest > sendAt)
            {
                Interlocked.Increment(ref late);
                return soonest.ToString("O");
            }

            return sendAt.ToString("O");
        }, draftIds.Add);
        output.WriteLine($"{test.Elapsed.TotalSeconds:0.0} s: created {draftIds.Count} drafts ({perDraft.TotalMilliseconds:0.0} ms each measured) due at {sendAt:O}; {late} of them created too late for it, due 2 s after their creation");

        // Kill -9 one instance (B; the drafts were written through A) once the SMTP server has taken a fifth of the
        // burst, then start it again.
        var atKill = await WaitForReceivedAsync(instances, Burst / 5, TimeSpan.FromMinutes(5));
        instances.B.Kill();
        output.WriteLine($"{test.Elapsed.TotalSeconds:0.0} s: killed B after {atKill} messages reached the SMTP server");
        Assert.True(atKill < Burst, "the whole burst was delivered before the kill, so the kill tested nothing");
        await instances.RestartAsync(instances.B);
        output.WriteLine($"{test.Elapsed.TotalSeconds:0.0} s: B started again:\n{string.Join('\n', instances.B.Log.Split('\n').Where(l => !l.Contains("dbug", StringComparison.Ordinal)).Take(40))}");

        // Done when no draft is still scheduled or being sent: every draft is then a message or failed.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        List<JsonObject> remaining;
        while (true)
        {
            remaining = await ListAllAsync(onA, $"/v0/inboxes/{inbox}/drafts", "drafts");
            if (remaining.All(d => d["send_status"]?.GetValue<string>() == "failed"))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline,
                $"{remaining.Count(d => d["send_status"]?.GetValue<string>() != "failed")} drafts still unsent after 5 minutes\nA:\n{instances.A.Log}\nB:\n{instances.B.Log}");
            await Task.Delay(500);
        }

        output.WriteLine($"{test.Elapsed.TotalSeconds:0.0} s: no draft left scheduled or sending");

        // Anything sent twice would reach the SMTP server in the moments after the last send.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var messages = await ListAllAsync(onA, $"/v0/inboxes/{inbox}/messages", "messages");
        var received = instances.Sink.ReceivedMessageIds().GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        var domain = inbox[(inbox.IndexOf('@') + 1)..];
        string MessageIdOf(string draftId) => $"{draftId}@{domain}";

        // None lost: each draft is exactly one of a message or a failed draft.
        var sentDrafts = messages.Select(m => m["message_id"]!.GetValue<string>().Trim('<', '>')).Select(id => id[..id.IndexOf('@')]).ToList();
        var failedDrafts = remaining.Select(d => d["draft_id"]!.GetValue<string>()).ToList();
        Assert.Equal(sentDrafts.Count, sentDrafts.Distinct().Count());
        Assert.Empty(sentDrafts.Intersect(failedDrafts));
        Assert.Equal(draftIds.Order(), sentDrafts.Concat(failedDrafts).Order());

        // Every message the store says was sent reached the SMTP server exactly once.
        var notOnce = sentDrafts.Where(d => received.GetValueOrDefault(MessageIdOf(d)) != 1).Select(d => $"{d}: {received.GetValueOrDefault(MessageIdOf(d))}").ToList();
        Assert.True(notOnce.Count == 0, $"{notOnce.Count} sent messages not received exactly once: {string.Join(", ", notOnce.Take(20))}");

        // The failed ones are the sends cut off by the kill, said to be uncertain, each received at most once.
        foreach (var draftId in failedDrafts)
        {
            var draft = await onA.GetJsonAsync($"/v0/inboxes/{inbox}/drafts/{draftId}");
            var reason = draft["failure_reason"]?.GetValue<string>() ?? "";
            Assert.True(reason.StartsWith(Uncertain, StringComparison.Ordinal), $"{draftId} failed for another reason: \"{reason}\"");
            Assert.InRange(received.GetValueOrDefault(MessageIdOf(draftId)), 0, 1);
        }

        // And nothing reached the SMTP server that is not one of these drafts.
        var known = draftIds.Select(MessageIdOf).ToHashSet();
        var strangers = received.Keys.Where(id => !known.Contains(id)).ToList();
        Assert.True(strangers.Count == 0, $"the SMTP server received messages of no draft here: {string.Join(", ", strangers.Take(20))}");
        output.WriteLine($"{sentDrafts.Count} sent once each; {failedDrafts.Count} failed as uncertain, {failedDrafts.Count(d => received.ContainsKey(MessageIdOf(d)))} of them accepted by the SMTP server before the kill");
    }

    /// <summary>Creates drafts with several callers at once, each draft's send_at (or none) decided as it is sent.</summary>
    private static Task CreateAsync(HttpClient api, string inbox, int count, Func<int, string?> sendAt, Action<string> created)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, Creators).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var at = sendAt(i);
                object body = at is null
                    ? new { to = new[] { $"customer{i}@example.com" }, subject = $"burst {i}", text = "due now" }
                    : new { to = new[] { $"customer{i}@example.com" }, subject = $"burst {i}", text = "due now", send_at = at };
                var draft = await api.PostJsonAsync($"/v0/inboxes/{inbox}/drafts", body);
                created(draft["draft_id"]!.GetValue<string>());
            }
        }));
    }

    private static async Task<int> WaitForReceivedAsync(TwoInstances instances, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var received = instances.Sink.ReceivedMessageIds().Count;
            if (received >= count)
            {
                return received;
            }

            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} messages reached the SMTP server within {timeout}\nA:\n{instances.A.Log}\nB:\n{instances.B.Log}");
            await Task.Delay(20);
        }
    }

    /// <summary>Every item of a list endpoint, page by page.</summary>
    private static async Task<List<JsonObject>> ListAllAsync(HttpClient api, string path, string items)
    {
        var all = new List<JsonObject>();
        string? token = null;
        do
        {
            var page = await api.GetJsonAsync($"{path}?limit=500{(token is null ? "" : $"&page_token={Uri.EscapeDataString(token)}")}");
            all.AddRange(page[items]!.AsArray().Select(n => n!.AsObject()));
            token = page["next_page_token"]?.GetValue<string>();
        }
        while (token is not null);
        return all;
    }
}
