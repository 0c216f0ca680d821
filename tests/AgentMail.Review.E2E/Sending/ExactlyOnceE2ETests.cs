using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentMail.Review.E2E.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace AgentMail.Review.E2E.Sending;

/// <summary>Exactly once, through what an operator meets: kill -9 in the middle of a burst, a second process on the file.</summary>
[Collection(TestStreams.Alone)]
public sealed class ExactlyOnceE2ETests(ITestOutputHelper output)
{
    private const int Burst = 500;

    [Fact]
    public async Task Kill_9_at_three_moments_of_a_500_draft_burst_loses_none_duplicates_none_and_reports_none_failed()
    {
        // 500 creates in a few seconds: past the per-key rate limit, which this test is not about.
        var server = await ServerProcess.StartAsync(new ServerOptions { Environment = new Dictionary<string, string?> { ["Review__RateLimit__Enabled"] = "false" } });
        string inbox;
        var draftIds = new List<string>();
        using (var api = AgentApi.Client(server))
        {
            inbox = await api.CreateInboxAsync();
            var sendAt = DateTime.UtcNow.AddSeconds(15).ToString("O");
            for (var i = 0; i < Burst; i++)
            {
                var draft = await api.PostJsonAsync($"/v0/inboxes/{inbox}/drafts", new { to = new[] { $"customer{i}@example.com" }, subject = $"burst {i}", send_at = sendAt });
                draftIds.Add(draft["draft_id"]!.GetValue<string>());
            }
        }

        // Three kills, each once the burst has gone a little further: near its start, its middle, its end.
        foreach (var killAt in new[] { 20, 200, 400 })
        {
            var reached = await WaitForOutboxAsync(server, killAt, TimeSpan.FromSeconds(90));
            server.Kill();
            output.WriteLine($"killed at {reached} recorded messages (aimed at {killAt})");
            var killed = server;
            server = await killed.StartAgainAsync();
            await killed.DisposeAsync();
        }

        await using (server)
        {
            await WaitForOutboxAsync(server, Burst, TimeSpan.FromSeconds(90));
            // Anything sent twice would be recorded in the moments after the last one.
            await Task.Delay(TimeSpan.FromSeconds(3));

            await using var db = new SqliteConnection($"Data Source={server.DatabasePath};Mode=ReadOnly;Pooling=False");
            await db.OpenAsync();
            Assert.Equal(Burst, await ScalarAsync(db, "SELECT count(*) FROM outbox"));
            Assert.Equal(Burst, await ScalarAsync(db, "SELECT count(DISTINCT MessageId) FROM outbox"));
            Assert.Equal(Burst, await ScalarAsync(db, "SELECT count(*) FROM messages"));
            Assert.Equal(0, await ScalarAsync(db, "SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.MessageId = o.MessageId)"));
            Assert.Equal(0, await ScalarAsync(db, "SELECT count(*) FROM drafts"));
            Assert.Equal(0, await ScalarAsync(db, "SELECT count(*) FROM audit_entries WHERE Action = 'failed'"));
            var recorded = new List<string>();
            await using (var read = db.CreateCommand())
            {
                read.CommandText = "SELECT DraftId FROM messages";
                await using var rows = await read.ExecuteReaderAsync();
                while (await rows.ReadAsync())
                {
                    recorded.Add(rows.GetString(0));
                }
            }

            Assert.Equal(draftIds.Order(), recorded.Order());
        }
    }

    [Fact]
    public async Task A_second_process_on_the_same_sqlite_file_refuses_to_start_naming_the_file_and_the_first_keeps_sending()
    {
        await using var first = await ServerProcess.StartAsync();
        using var api = AgentApi.Client(first);
        var inbox = await api.CreateInboxAsync();
        var draft = await api.PostJsonAsync($"/v0/inboxes/{inbox}/drafts", new { to = new[] { "bob@example.com" }, subject = "still mine" });

        var refused = await Assert.ThrowsAsync<ServerStartException>(() =>
            ServerProcess.StartAsync(new ServerOptions { DataFolder = first.DataFolder, StartTimeout = TimeSpan.FromSeconds(30) }));

        Assert.Contains("Another AgentMail Review process is using the SQLite store", refused.Message);
        Assert.Contains(first.DatabasePath, refused.Message);
        var sent = await api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}/send", new { });
        Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());
    }

    private static async Task<long> WaitForOutboxAsync(ServerProcess server, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using (var db = new SqliteConnection($"Data Source={server.DatabasePath};Mode=ReadOnly;Pooling=False"))
            {
                await db.OpenAsync();
                var recorded = await ScalarAsync(db, "SELECT count(*) FROM outbox");
                if (recorded >= count)
                {
                    return recorded;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} messages recorded within {timeout.TotalSeconds} s; server log:\n{server.Log}");
            await Task.Delay(10);
        }
    }

    private static async Task<long> ScalarAsync(SqliteConnection db, string sql)
    {
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
