using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace AgentMail.Review.Core.Tests.Delivery;

/// <summary>SMTP servers that are not there, or that take the connection and then say nothing.</summary>
public sealed class SmtpUnreachableTests
{
    [Fact]
    public async Task Nothing_listening_retries_up_to_MaxAttempts_then_fails_naming_the_server()
    {
        var port = SmtpSink.UnusedLoopbackPort();
        await using var store = await TestStore.CreateAsync(SmtpSettings.For(port, maxAttempts: 3));
        var inbox = await store.CreateInboxAsync();
        var draft = await CreateDraftAsync(store, inbox.InboxId);

        var outcome = await store.SendWithRetriesAsync(TestActors.Agent, draft.DraftId, draft.Version);

        Assert.Equal(SendResult.Failed, outcome.Result);
        Assert.Equal($"SMTP server 127.0.0.1:{port} refused the connection (gave up after 3 attempts)", outcome.FailureReason);
        await using var db = store.OpenDb();
        var failed = await db.Drafts.SingleAsync(d => d.DraftId == draft.DraftId);
        Assert.Equal(DraftState.Failed, failed.State);
        Assert.Equal(outcome.FailureReason, failed.FailureReason);
        Assert.False(await db.Messages.AnyAsync());
    }

    [Fact]
    public async Task Silent_server_fails_each_attempt_within_the_configured_Timeout()
    {
        await using var server = SilentServer.Start();
        await using var store = await TestStore.CreateAsync(SmtpSettings.For(server.Port, maxAttempts: 2, timeout: TimeSpan.FromSeconds(2)));
        var inbox = await store.CreateInboxAsync();
        var draft = await CreateDraftAsync(store, inbox.InboxId);

        var elapsed = Stopwatch.StartNew();
        var outcome = await store.SendWithRetriesAsync(TestActors.Agent, draft.DraftId, draft.Version)
            .WaitAsync(TimeSpan.FromSeconds(30));
        elapsed.Stop();

        Assert.Equal(SendResult.Failed, outcome.Result);
        Assert.Equal($"SMTP server 127.0.0.1:{server.Port} did not answer within 2 s (gave up after 2 attempts)", outcome.FailureReason);
        Assert.Equal(2, server.Accepted);
        // Two attempts of 2 s each, with room for a slow machine but far from "hangs".
        Assert.InRange(elapsed.Elapsed, TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(10));
        await using var db = store.OpenDb();
        Assert.Equal(DraftState.Failed, (await db.Drafts.SingleAsync(d => d.DraftId == draft.DraftId)).State);
        Assert.False(await db.Messages.AnyAsync());
    }

    [Fact]
    public async Task Whole_conversation_is_bounded_by_Timeout_on_the_services_clock()
    {
        // Timeout is far longer than the test waits in real time, so only the store's clock moving on can end it.
        await using var server = SilentServer.Start();
        await using var store = await TestStore.CreateAsync(SmtpSettings.For(server.Port, maxAttempts: 1, timeout: TimeSpan.FromMinutes(5)));
        var inbox = await store.CreateInboxAsync();
        var draft = await CreateDraftAsync(store, inbox.InboxId);

        var sending = store.Get<DraftSender>().SendAsync(TestActors.Agent, draft.DraftId, draft.Version, "test");
        await server.WaitForConnectionsAsync(1);
        Assert.False(sending.IsCompleted);
        store.Clock.Advance(TimeSpan.FromMinutes(5));
        var outcome = await sending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(SendResult.Failed, outcome.Result);
        Assert.Equal($"SMTP server 127.0.0.1:{server.Port} did not answer within 300 s (gave up after 1 attempt)", outcome.FailureReason);
    }

    [Fact]
    public async Task Cancelling_a_delivery_to_a_silent_server_stops_it_promptly_as_a_cancellation()
    {
        await using var server = SilentServer.Start();
        await using var store = await TestStore.CreateAsync(SmtpSettings.For(server.Port, timeout: TimeSpan.FromMinutes(5)));
        var transport = Assert.IsType<SmtpTransport>(store.Get<IMailTransport>());
        var message = new MimeMessage { Subject = "Never arrives" };
        message.From.Add(MailboxAddress.Parse("agent@example.com"));
        message.To.Add(MailboxAddress.Parse("bob@example.net"));
        message.Body = new TextPart("plain") { Text = "Hello." };

        using var cancel = new CancellationTokenSource();
        var delivering = transport.DeliverAsync(message, cancel.Token);
        await server.WaitForConnectionsAsync(1);
        var elapsed = Stopwatch.StartNew();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delivering.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.InRange(elapsed.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    private static async Task<Draft> CreateDraftAsync(TestStore store, string inboxId) =>
        await store.Get<DraftsService>().CreateAsync(TestActors.Agent, inboxId, new NewDraft
        {
            To = ["bob@example.net"],
            Subject = "Anyone there?",
            Text = "Hello.",
        });

    /// <summary>Accepts TCP connections on loopback and never writes a byte: no greeting, no replies.</summary>
    private sealed class SilentServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ConcurrentQueue<TcpClient> _held = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _accepting = Task.CompletedTask;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Accepted => _held.Count;

        public static SilentServer Start()
        {
            var server = new SilentServer();
            server._listener.Start();
            server._accepting = server.AcceptAsync();
            return server;
        }

        public async Task WaitForConnectionsAsync(int count)
        {
            var waited = Stopwatch.StartNew();
            while (Accepted < count)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"expected {count} connection(s), got {Accepted}");
                await Task.Delay(20);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _accepting;
            }
            catch (OperationCanceledException)
            {
                // The accept loop ends by cancellation.
            }

            foreach (var client in _held)
            {
                client.Dispose();
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                _held.Enqueue(await _listener.AcceptTcpClientAsync(_stop.Token));
            }
        }
    }
}
