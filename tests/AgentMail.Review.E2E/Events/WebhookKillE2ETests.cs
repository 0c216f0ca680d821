using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AgentMail.Review.E2E.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace AgentMail.Review.E2E.Events;

/// <summary>The transactional outbox through what an operator meets: kill -9 between commits and their deliveries.</summary>
[Collection(TestStreams.Processes)]
public sealed class WebhookKillE2ETests(ITestOutputHelper output)
{
    private const int Drafts = 20;

    [Fact]
    public async Task Events_committed_before_a_kill_9_reach_the_endpoint_after_the_restart_each_under_one_event_id()
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}/hooks/";
        var server = await ServerProcess.StartAsync();
        string inbox;
        string secret;
        using (var api = AgentApi.Client(server))
        {
            inbox = await api.CreateInboxAsync();
            // The endpoint is down: nothing listens on its port yet.
            var webhook = await api.PostJsonAsync("/v0/webhooks", new { url, event_types = new[] { "draft.created" }, inbox_ids = new[] { inbox } });
            secret = webhook["secret"]!.GetValue<string>();
            for (var i = 0; i < Drafts; i++)
            {
                await api.PostJsonAsync($"/v0/inboxes/{inbox}/drafts", new { subject = $"draft {i}" });
            }
        }

        server.Kill();
        var received = new ConcurrentBag<(string SvixId, string EventId, string DraftId, bool Verified)>();
        using var listener = new HttpListener();
        listener.Prefixes.Add(url);
        listener.Start();
        var receiving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                var id = context.Request.Headers["svix-id"]!;
                var timestamp = context.Request.Headers["svix-timestamp"]!;
                var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret["whsec_".Length..]), Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
                var json = JsonNode.Parse(body)!;
                received.Add((id, json["event_id"]!.GetValue<string>(), json["draft"]!["draft_id"]!.GetValue<string>(), context.Request.Headers["svix-signature"] == expected));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        await using var restarted = await server.StartAgainAsync();
        await server.DisposeAsync();
        // The retry schedule's second step is 5 s and the catch-all sweep runs every 30 s: all should be in well within a minute.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (received.Select(r => r.DraftId).Distinct().Count() < Drafts && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        listener.Stop();
        await receiving;
        output.WriteLine($"{received.Count} deliveries for {received.Select(r => r.DraftId).Distinct().Count()} drafts");

        await using var db = new SqliteConnection($"Data Source={restarted.DatabasePath};Mode=ReadOnly;Pooling=False");
        await db.OpenAsync();
        var logged = new Dictionary<string, string>();
        await using (var read = db.CreateCommand())
        {
            read.CommandText = "SELECT EventId, DraftId FROM events WHERE EventType = 'draft.created' AND InboxId = $inbox";
            read.Parameters.AddWithValue("$inbox", inbox);
            await using var rows = await read.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                logged[rows.GetString(0)] = rows.GetString(1);
            }
        }

        Assert.Equal(Drafts, logged.Count);
        Assert.All(received, r => Assert.True(r.Verified, "every delivery's svix-signature verifies"));
        Assert.All(received, r => Assert.Equal(r.EventId, r.SvixId));
        Assert.Equal(logged.Keys.Order(), received.Select(r => r.EventId).Distinct().Order());
        // At least once, and a draft's event keeps its one id however often it comes.
        Assert.All(received.GroupBy(r => r.DraftId), g => Assert.Single(g.Select(r => r.EventId).Distinct()));
        Assert.All(received, r => Assert.Equal(logged[r.EventId], r.DraftId));
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
