using System.Diagnostics;
using System.Net.Sockets;
using AgentMail.Review.Core.Tests.Support;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MimeKit.Utils;
using Xunit.Abstractions;

namespace AgentMail.Review.Core.Tests.Delivery;

/// <summary>
/// The SMTP sink's fault modes, driven by a plain MailKit client so each mode is shown to behave as its flag says,
/// independently of the product's transport.
/// </summary>
public sealed class SmtpSinkFaultModeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Silent_after_data_keeps_the_complete_message_and_the_client_times_out_waiting_for_an_answer()
    {
        await using var sink = await SmtpSink.StartAsync("--silent-after-data");
        var message = Message("silent");
        using var client = await ConnectAsync(sink.Port);

        var waited = Stopwatch.StartNew();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.SendAsync(message));
        waited.Stop();
        output.WriteLine($"client gave up after {waited.ElapsedMilliseconds} ms: {error.GetType().Name}: {error.Message}");

        Assert.IsType<TimeoutException>(error);
        Assert.InRange(waited.Elapsed, ClientTimeout - TimeSpan.FromMilliseconds(100), ClientTimeout + TimeSpan.FromSeconds(5));
        Assert.Equal(1, sink.CompleteMessagesWith(message.MessageId!));
        var kept = Assert.Single(sink.Received());
        Assert.Equal(message.MessageId, kept.Message.MessageId);
        Assert.Empty(sink.Refusals());
        Assert.Empty(sink.PartialMessages());
    }

    [Fact]
    public async Task Drop_mid_data_cuts_the_connection_and_records_nothing_complete()
    {
        await using var sink = await SmtpSink.StartAsync("--drop-mid-data");
        // Far more than one read's worth, so the final "." cannot have arrived when the first part does.
        var message = Message("cut off", new string('x', 4 * 1024 * 1024));
        using var client = await ConnectAsync(sink.Port);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.SendAsync(message));
        output.WriteLine($"client saw {error.GetType().Name}: {error.Message}; sink: {string.Join(" | ", sink.PartialMessages())}");

        Assert.True(error is IOException or SmtpProtocolException, $"expected an I/O or protocol error, got {error}");
        Assert.Empty(sink.ReceivedMessageIds());
        Assert.Equal(0, sink.CompleteMessagesWith(message.MessageId!));
        Assert.Empty(sink.Received());
        var partial = Assert.Single(await WaitForAsync(sink.PartialMessages, lines => lines.Count > 0));
        Assert.StartsWith($"{message.MessageId} ", partial, StringComparison.Ordinal);
        Assert.EndsWith(" dropped mid-data", partial, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reject_data_answers_the_final_dot_with_the_permanent_code_and_accepts_nothing()
    {
        await using var sink = await SmtpSink.StartAsync("--reject-data", "554");
        var message = Message("refused");
        using var client = await ConnectAsync(sink.Port);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(message));

        Assert.Equal(554, (int)error.StatusCode);
        Assert.Equal(SmtpErrorCode.MessageNotAccepted, error.ErrorCode);
        Assert.Equal(["DATA 554"], sink.Refusals());
        Assert.Empty(sink.Received());
        // It did arrive whole; only the answer was no.
        Assert.Equal(1, sink.CompleteMessagesWith($"<{message.MessageId}>"));
    }

    [Fact]
    public async Task Slow_sends_every_reply_late_from_the_greeting_on_and_still_accepts()
    {
        var delay = TimeSpan.FromMilliseconds(400);
        await using var sink = await SmtpSink.StartAsync("--slow", "400");
        var message = Message("slow");
        using var client = new SmtpClient { Timeout = (int)TimeSpan.FromSeconds(10).TotalMilliseconds };

        var elapsed = Stopwatch.StartNew();
        await client.ConnectAsync("127.0.0.1", sink.Port, SecureSocketOptions.None);
        var connected = elapsed.Elapsed;
        var answer = await client.SendAsync(message);
        var sent = elapsed.Elapsed - connected;
        await client.DisconnectAsync(quit: true);
        output.WriteLine($"connect {connected.TotalMilliseconds:F0} ms, send {sent.TotalMilliseconds:F0} ms, answer: {answer}");

        // Connecting waits for the greeting and the EHLO reply; sending for at least the DATA go-ahead and the answer
        // to the final "." (MAIL and RCPT may be pipelined with them).
        Assert.InRange(connected, 2 * delay, 2 * delay + TimeSpan.FromSeconds(5));
        Assert.InRange(sent, 2 * delay, 4 * delay + TimeSpan.FromSeconds(5));
        Assert.Contains("kept as 1.eml", answer, StringComparison.Ordinal);
        Assert.Equal(message.MessageId, Assert.Single(sink.Received()).Message.MessageId);
    }

    [Fact]
    public async Task Fail_first_one_refuses_the_first_message_with_451_then_accepts_it_again()
    {
        await using var sink = await SmtpSink.StartAsync("--fail-first", "1");
        var message = Message("second time");
        using var client = await ConnectAsync(sink.Port);

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(message));
        await client.SendAsync(message);

        Assert.Equal(451, (int)refused.StatusCode);
        Assert.Equal(["DATA 451"], sink.Refusals());
        Assert.Equal(message.MessageId, Assert.Single(sink.Received()).Message.MessageId);
        Assert.Equal(2, sink.CompleteMessagesWith(message.MessageId!));
        Assert.Equal([message.MessageId!, message.MessageId!], sink.ReceivedMessageIds());
    }

    [Fact]
    public async Task Unused_loopback_port_refuses_the_connection()
    {
        using var client = new SmtpClient { Timeout = (int)ClientTimeout.TotalMilliseconds };

        var error = await Assert.ThrowsAsync<SocketException>(() =>
            client.ConnectAsync("127.0.0.1", SmtpSink.UnusedLoopbackPort(), SecureSocketOptions.None));

        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    private static async Task<SmtpClient> ConnectAsync(int port)
    {
        var client = new SmtpClient { Timeout = (int)ClientTimeout.TotalMilliseconds };
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        return client;
    }

    private static MimeMessage Message(string subject, string text = "Hello.")
    {
        var message = new MimeMessage { Subject = subject, MessageId = MimeUtils.GenerateMessageId("sink.example.com") };
        message.From.Add(MailboxAddress.Parse("agent@example.com"));
        message.To.Add(MailboxAddress.Parse("bob@example.net"));
        message.Body = new TextPart("plain") { Text = text };
        return message;
    }

    /// <summary>The sink writes its logs from another process; a cut-off one is logged as the connection goes.</summary>
    private static async Task<IReadOnlyList<string>> WaitForAsync(Func<IReadOnlyList<string>> read, Func<IReadOnlyList<string>, bool> done)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var lines = read();
            if (done(lines) || waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                return lines;
            }

            await Task.Delay(20);
        }
    }
}
