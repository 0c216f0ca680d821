using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using AgentMail.Review.E2E.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace AgentMail.Review.E2E.Receiving;

/// <summary>One server for the class, receiving mail on its own loopback port with a small size limit.</summary>
public sealed class ReceivingServer : IAsyncLifetime
{
    public const int MaxMessageBytes = 64 * 1024;

    public ServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ServerProcess.StartAsync(new ServerOptions
    {
        Environment = new Dictionary<string, string?> { ["Inbound__Smtp__MaxMessageBytes"] = MaxMessageBytes.ToString(CultureInfo.InvariantCulture) },
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Replies delivered to the real server's SMTP listener by real SMTP clients, read back through the API.</summary>
[Collection(TestStreams.Processes)]
public sealed class ReceivingE2ETests(ReceivingServer fixture) : IClassFixture<ReceivingServer>
{
    private ServerProcess Server => fixture.Server;

    /// <summary>The agent's first message, sent from an inbox without review: its Message-ID and thread.</summary>
    private static async Task<(string MessageId, string ThreadId)> SendFirstAsync(HttpClient api, string inbox)
    {
        var draft = await api.PostJsonAsync($"/v0/inboxes/{inbox}/drafts", new { to = new[] { "bob@example.com" }, subject = "Our offer", text = "Here it is." });
        var sent = await api.PostJsonAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}/send", new { });
        return (sent["message_id"]!.GetValue<string>(), sent["thread_id"]!.GetValue<string>());
    }

    private static MimeMessage ReplyTo(string inbox, string messageId, string text = "Thanks, sounds good.")
    {
        var reply = new MimeMessage { Subject = "Re: Our offer" };
        reply.From.Add(new MailboxAddress("Bob", "bob@example.com"));
        reply.To.Add(MailboxAddress.Parse(inbox));
        reply.InReplyTo = messageId.Trim('<', '>');
        reply.References.Add(messageId.Trim('<', '>'));
        reply.Body = new TextPart("plain") { Text = text };
        return reply;
    }

    private async Task<string> DeliverAsync(MimeMessage message)
    {
        using var smtp = new SmtpClient { Timeout = 10_000 };
        await smtp.ConnectAsync("127.0.0.1", Server.SmtpPort, SecureSocketOptions.None);
        var answer = await smtp.SendAsync(message);
        await smtp.DisconnectAsync(quit: true);
        return answer;
    }

    private static async Task<List<JsonObject>> ReceivedAsync(HttpClient api, string inbox)
    {
        var list = await api.GetJsonAsync($"/v0/inboxes/{inbox}/messages?labels=%5B%22received%22%5D");
        return list["messages"]!.AsArray().Select(m => m!.AsObject()).ToList();
    }

    private static IReadOnlyList<string> Labels(JsonObject item) => item["labels"]!.AsArray().Select(l => l!.GetValue<string>()).ToList();

    [Fact]
    public async Task A_reply_sent_over_SMTP_is_listed_in_the_inbox_with_the_labels_received_and_unread_in_the_first_messages_thread()
    {
        using var api = AgentApi.Client(Server);
        var inbox = await api.CreateInboxAsync("recv");
        var (messageId, threadId) = await SendFirstAsync(api, inbox);

        var answer = await DeliverAsync(ReplyTo(inbox, messageId));

        Assert.StartsWith("2.0.0 Ok", answer);
        var received = Assert.Single(await ReceivedAsync(api, inbox));
        Assert.Equal(threadId, received["thread_id"]!.GetValue<string>());
        Assert.Equal(["received", "unread"], Labels(received));
        Assert.Equal("Bob <bob@example.com>", received["from"]!.GetValue<string>());
        Assert.Equal(messageId, received["in_reply_to"]!.GetValue<string>());
        Assert.Equal("Re: Our offer", received["subject"]!.GetValue<string>());
        var full = await api.GetJsonAsync($"/v0/inboxes/{inbox}/messages/{Uri.EscapeDataString(received["message_id"]!.GetValue<string>())}");
        Assert.Equal("Thanks, sounds good.", full["text"]!.GetValue<string>().TrimEnd());
    }

    [Fact]
    public async Task Mail_for_an_address_that_is_not_an_inbox_here_is_refused_with_550_and_nothing_is_stored()
    {
        using var api = AgentApi.Client(Server);
        var inbox = await api.CreateInboxAsync("recv");
        var (messageId, _) = await SendFirstAsync(api, inbox);
        var mail = ReplyTo(inbox, messageId);
        mail.To.Clear();
        mail.To.Add(MailboxAddress.Parse("someone@elsewhere.example"));

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => DeliverAsync(mail));
        // With one of ours beside it, the stranger is still refused: the listener relays nothing.
        mail.To.Add(MailboxAddress.Parse(inbox));
        var mixed = await Assert.ThrowsAsync<SmtpCommandException>(() => DeliverAsync(mail));

        Assert.Equal(550, (int)refused.StatusCode);
        Assert.Equal(SmtpErrorCode.RecipientNotAccepted, refused.ErrorCode);
        Assert.Contains("5.1.1", refused.Message);
        Assert.Equal(550, (int)mixed.StatusCode);
        Assert.Empty(await ReceivedAsync(api, inbox));
    }

    [Fact]
    public async Task Mail_past_the_size_limit_is_refused_with_552_whether_announced_or_not_and_nothing_is_stored()
    {
        using var api = AgentApi.Client(Server);
        var inbox = await api.CreateInboxAsync("recv");
        var (messageId, _) = await SendFirstAsync(api, inbox);

        // Announced: MailKit gives the size with MAIL FROM, as the listener advertises SIZE.
        var big = ReplyTo(inbox, messageId);
        var body = new BodyBuilder { TextBody = "see attached" };
        body.Attachments.Add("big.bin", new byte[ReceivingServer.MaxMessageBytes], new ContentType("application", "octet-stream"));
        big.Body = body.ToMessageBody();
        var announced = await Assert.ThrowsAsync<SmtpCommandException>(() => DeliverAsync(big));
        Assert.Equal(552, (int)announced.StatusCode);

        // Unannounced: the body simply goes on past the limit. The listener keeps none of it past the limit, answers
        // 552 at the final dot, and the session goes on.
        await using var dialogue = await SmtpDialogue.OpenAsync(Server.SmtpPort);
        Assert.StartsWith("250", await dialogue.SendAsync("EHLO client.example"));
        Assert.StartsWith("250", await dialogue.SendAsync("MAIL FROM:<bob@example.com>"));
        Assert.StartsWith("250", await dialogue.SendAsync($"RCPT TO:<{inbox}>"));
        Assert.StartsWith("354", await dialogue.SendAsync("DATA"));
        var headers = $"From: bob@example.com\r\nTo: {inbox}\r\nSubject: too big\r\nIn-Reply-To: {messageId}\r\n\r\n";
        var line = new string('x', 998) + "\r\n";
        var text = new StringBuilder(headers);
        while (text.Length <= ReceivingServer.MaxMessageBytes)
        {
            text.Append(line);
        }

        text.Append("\r\n.\r\n");
        await dialogue.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
        var reply = await dialogue.ReadReplyAsync();

        Assert.StartsWith("552", reply);
        Assert.Empty(await ReceivedAsync(api, inbox));
        Assert.StartsWith("250", await dialogue.SendAsync("MAIL FROM:<bob@example.com>"));
        Assert.StartsWith("250", await dialogue.SendAsync($"RCPT TO:<{inbox}>"));
        Assert.StartsWith("354", await dialogue.SendAsync("DATA"));
        Assert.StartsWith("250", await dialogue.SendAsync($"From: bob@example.com\r\nTo: {inbox}\r\nSubject: short\r\n\r\nShort this time.\r\n."));
        Assert.StartsWith("221", await dialogue.SendAsync("QUIT"));
        var received = Assert.Single(await ReceivedAsync(api, inbox));
        Assert.Equal("short", received["subject"]!.GetValue<string>());
    }

    [Fact]
    public async Task Mail_that_is_not_mail_is_refused_with_554_and_nothing_is_stored()
    {
        using var api = AgentApi.Client(Server);
        var inbox = await api.CreateInboxAsync("recv");

        await using var dialogue = await SmtpDialogue.OpenAsync(Server.SmtpPort);
        Assert.StartsWith("250", await dialogue.SendAsync("EHLO client.example"));
        Assert.StartsWith("250", await dialogue.SendAsync("MAIL FROM:<bob@example.com>"));
        Assert.StartsWith("250", await dialogue.SendAsync($"RCPT TO:<{inbox}>"));
        Assert.StartsWith("354", await dialogue.SendAsync("DATA"));
        var reply = await dialogue.SendAsync("no headers here, and no From either\r\n.");

        Assert.StartsWith("554", reply);
        Assert.Empty(await ReceivedAsync(api, inbox));
    }

    [Fact]
    public async Task A_reply_arriving_holds_the_follow_up_scheduled_in_its_thread_and_the_follow_up_never_leaves()
    {
        using var api = AgentApi.Client(Server);
        var inbox = await api.CreateInboxAsync("hold");
        var (messageId, _) = await SendFirstAsync(api, inbox);
        // Soon enough that the scheduler holds a job for it; far enough that the reply comes first.
        var sendAt = DateTime.UtcNow.AddSeconds(20);
        var followUp = await api.PostJsonAsync($"/v0/inboxes/{inbox}/drafts", new { in_reply_to = messageId, text = "Just bumping this.", send_at = sendAt.ToString("O") });
        var draftId = followUp["draft_id"]!.GetValue<string>();
        Assert.Equal("scheduled", followUp["send_status"]!.GetValue<string>());

        await DeliverAsync(ReplyTo(inbox, messageId, "Yes, let's talk on Monday."));

        var held = await api.GetJsonAsync($"/v0/inboxes/{inbox}/drafts/{draftId}");
        Assert.False(held.ContainsKey("send_status"), held.ToJsonString());
        Assert.False(held.ContainsKey("send_at"), held.ToJsonString());
        Assert.DoesNotContain("scheduled", Labels(held));
        // The agent can read why, as the supervisor does in the console.
        Assert.Matches("^a reply from .+ arrived at .+; held for a person$", held["held_reason"]!.GetValue<string>());

        // Past the time it was due, it is still a draft waiting for a person, and only the first message was sent.
        var wait = sendAt - DateTime.UtcNow + TimeSpan.FromSeconds(3);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var later = await api.GetJsonAsync($"/v0/inboxes/{inbox}/drafts/{draftId}");
        Assert.False(later.ContainsKey("send_status"), later.ToJsonString());
        var sent = await api.GetJsonAsync($"/v0/inboxes/{inbox}/messages?labels=%5B%22sent%22%5D");
        Assert.Equal(1, sent["count"]!.GetValue<int>());
        Assert.Equal(messageId, sent["messages"]![0]!["message_id"]!.GetValue<string>());
        Assert.Contains($"Draft {draftId} held_for_reply", Server.Log);
    }

    [Fact]
    public async Task A_reply_sent_with_swaks_as_the_README_shows_lands_in_the_thread()
    {
        using var api = AgentApi.Client(Server);
        var inbox = await api.CreateInboxAsync("swaks");
        var (messageId, threadId) = await SendFirstAsync(api, inbox);

        var (exitCode, output) = await ProcessRunner.RunAsync("swaks",
            ["--server", $"127.0.0.1:{Server.SmtpPort}", "--to", inbox, "--from", "bob@example.com",
             "--header", "Subject: Re: Our offer", "--header", $"In-Reply-To: {messageId}", "--body", "Sounds good, call me."],
            Path.GetTempPath(), TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, output);
        var received = Assert.Single(await ReceivedAsync(api, inbox));
        Assert.Equal(threadId, received["thread_id"]!.GetValue<string>());
        Assert.Equal(["received", "unread"], Labels(received));
    }
}

/// <summary>With a certificate configured, the listener offers STARTTLS and takes mail over it.</summary>
[Collection(TestStreams.Processes)]
public sealed class StartTlsE2ETests
{
    [Fact]
    public async Task With_a_certificate_configured_a_reply_arrives_over_STARTTLS()
    {
        var folder = Directory.CreateTempSubdirectory("agentmail-review-tls-").FullName;
        try
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var path = Path.Combine(folder, "listener.pfx");
            await File.WriteAllBytesAsync(path, certificate.Export(X509ContentType.Pfx, "listener-secret"));

            await using var server = await ServerProcess.StartAsync(new ServerOptions
            {
                Environment = new Dictionary<string, string?> { ["Inbound__Smtp__CertificatePath"] = path, ["Inbound__Smtp__CertificatePassword"] = "listener-secret" },
            });
            using var api = AgentApi.Client(server);
            var inbox = await api.CreateInboxAsync("tls");
            var mail = new MimeMessage { Subject = "over TLS" };
            mail.From.Add(MailboxAddress.Parse("bob@example.com"));
            mail.To.Add(MailboxAddress.Parse(inbox));
            mail.Body = new TextPart("plain") { Text = "sealed" };

            using var smtp = new SmtpClient { Timeout = 10_000 };
            smtp.ServerCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
            await smtp.ConnectAsync("127.0.0.1", server.SmtpPort, SecureSocketOptions.StartTls);
            Assert.True(smtp.IsSecure);
            await smtp.SendAsync(mail);
            await smtp.DisconnectAsync(quit: true);

            var list = await api.GetJsonAsync($"/v0/inboxes/{inbox}/messages");
            Assert.Equal("over TLS", list["messages"]![0]!["subject"]!.GetValue<string>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
