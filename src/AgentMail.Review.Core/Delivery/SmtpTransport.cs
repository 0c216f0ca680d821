using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AgentMail.Review.Core.Delivery;

/// <summary>
/// Delivers through a real SMTP server with MailKit, one connection per message. A failure is told apart by when it
/// happened: before the server has the whole message it is transient or permanent by the server's answer; once the
/// whole message is out and no answer came, it is uncertain, and never retried by itself.
/// </summary>
public sealed class SmtpTransport(IOptions<DeliveryOptions> options, TimeProvider clock) : IMailTransport
{
    public bool DeliversOnCommit => false;

    public async Task<OutboxEntry?> DeliverAsync(MimeMessage message, CancellationToken ct)
    {
        var settings = options.Value.Smtp;
        var host = settings.Host ?? throw new InvalidOperationException("Delivery:Smtp:Host is not set");
        var server = $"{host}:{settings.Port}";

        // MailKit's own timeout covers one read or write; this one bounds the whole conversation, so a server that
        // answers just often enough to keep each read alive still cannot hold a send for longer than Timeout.
        using var deadline = new CancellationTokenSource(settings.Timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        using var client = new SmtpClient { Timeout = (int)Math.Min(settings.Timeout.TotalMilliseconds, int.MaxValue) };
        var handedOver = new HandOverProgress();
        try
        {
            await client.ConnectAsync(host, settings.Port, ToMailKit(settings.Security), linked.Token);
            if (!string.IsNullOrEmpty(settings.User))
            {
                await client.AuthenticateAsync(settings.User, settings.Password ?? string.Empty, linked.Token);
            }

            await client.SendAsync(message, linked.Token, handedOver);
        }
        catch (Exception e) when (e is not SmtpCommandException && handedOver.Complete)
        {
            // The server's own answer to the message (even a refusal) is certain; silence or a lost connection after
            // the whole message went out is not: it may be on its way to the recipient already.
            throw new DeliveryException(
                $"delivery uncertain: SMTP server {server} received the whole message but {(e is OperationCanceledException or TimeoutException ? $"did not answer within {settings.Timeout.TotalSeconds:0.###} s" : $"the connection broke before it answered ({OneLine(e.Message)})")}; it may have accepted it",
                DeliveryFailure.Uncertain,
                e);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && Classify(e, server, settings) is { } failure)
        {
            throw failure;
        }

        try
        {
            await client.DisconnectAsync(quit: true, linked.Token);
        }
        catch (Exception)
        {
            // The server has already taken the message: a failed or cancelled QUIT must not make the send look failed,
            // or a retry would deliver it twice.
        }

        return null;
    }

    /// <summary>
    /// Watches MailKit stream the message: once every byte of it has gone out, only the final "." and the server's
    /// answer remain, and from then on a failure leaves the outcome unknown.
    /// </summary>
    private sealed class HandOverProgress : ITransferProgress
    {
        private volatile bool _complete;

        public bool Complete => _complete;

        public void Report(long bytesTransferred, long totalSize)
        {
            if (bytesTransferred >= totalSize)
            {
                _complete = true;
            }
        }

        // Without a known size, any byte of the message counts: the cautious side of "may have it".
        public void Report(long bytesTransferred) => _complete = true;
    }

    private static SecureSocketOptions ToMailKit(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        // MailKit's Auto is STARTTLS-when-offered, except that port 465 (which only speaks TLS) gets TLS on connect
        // instead of a plain greeting that would never come.
        _ => SecureSocketOptions.Auto,
    };

    private static DeliveryException? Classify(Exception e, string server, SmtpOptions settings) => e switch
    {
        SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted } c =>
            new DeliveryException($"recipient {c.Mailbox?.Address} rejected: {Reply(c)}", ByReply(c), e) { Bounced = true },
        SmtpCommandException { ErrorCode: SmtpErrorCode.SenderNotAccepted } c =>
            new DeliveryException($"sender {c.Mailbox?.Address} rejected: {Reply(c)}", ByReply(c), e),
        SmtpCommandException { ErrorCode: SmtpErrorCode.MessageNotAccepted } c =>
            new DeliveryException($"SMTP server {server} answered {Reply(c)}", ByReply(c), e) { Bounced = true },
        SmtpCommandException c =>
            new DeliveryException($"SMTP server {server} answered {Reply(c)}", ByReply(c), e),
        AuthenticationException =>
            new DeliveryException($"SMTP server {server} rejected the credentials of user {settings.User}: {OneLine(e.Message)}", DeliveryFailure.Permanent, e),
        SslHandshakeException =>
            new DeliveryException($"TLS handshake with SMTP server {server} failed: {OneLine(e.Message.Replace(SslPreamble, string.Empty, StringComparison.Ordinal))}", DeliveryFailure.Permanent, e),
        // MailKit says so when the server lacks STARTTLS or AUTH that the settings require: only a settings change helps.
        NotSupportedException =>
            new DeliveryException($"SMTP server {server} cannot be used with these settings: {OneLine(e.Message)}", DeliveryFailure.Permanent, e),
        SmtpProtocolException =>
            new DeliveryException($"SMTP server {server} broke off the conversation: {OneLine(e.Message)}", DeliveryFailure.Transient, e),
        OperationCanceledException or TimeoutException =>
            new DeliveryException($"SMTP server {server} did not answer within {settings.Timeout.TotalSeconds:0.###} s", DeliveryFailure.Transient, e),
        SocketException s => Connection(s, server, host: settings.Host!),
        IOException { InnerException: SocketException s } => Connection(s, server, host: settings.Host!),
        IOException =>
            new DeliveryException($"connection to SMTP server {server} was lost: {OneLine(e.Message)}", DeliveryFailure.Transient, e),
        ServiceNotConnectedException =>
            new DeliveryException($"connection to SMTP server {server} was lost: {OneLine(e.Message)}", DeliveryFailure.Transient, e),
        _ => null,
    };

    private static DeliveryException Connection(SocketException e, string server, string host) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => new DeliveryException($"SMTP server {server} refused the connection", DeliveryFailure.Transient, e),
        SocketError.TimedOut => new DeliveryException($"SMTP server {server} did not answer the connection attempt", DeliveryFailure.Transient, e),
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain =>
            new DeliveryException($"SMTP server host {host} could not be found", DeliveryFailure.Transient, e),
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown =>
            new DeliveryException($"SMTP server {server} dropped the connection", DeliveryFailure.Transient, e),
        _ => new DeliveryException($"could not talk to SMTP server {server}: {OneLine(e.Message)}", DeliveryFailure.Transient, e),
    };

    private const string SslPreamble = "An error occurred while attempting to establish an SSL or TLS connection.";

    private const int MaxDetailLength = 300;

    private static string Reply(SmtpCommandException e) => $"{(int)e.StatusCode} {OneLine(e.Message)}";

    /// <summary>
    /// Server replies and MailKit's explanations can span many lines; a failure reason is shown in one line of the
    /// console, so whitespace is collapsed and very long explanations are cut.
    /// </summary>
    private static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= MaxDetailLength ? line : string.Concat(line.AsSpan(0, MaxDetailLength), "…");
    }

    private static DeliveryFailure ByReply(SmtpCommandException e) =>
        (int)e.StatusCode is >= 400 and < 500 ? DeliveryFailure.Transient : DeliveryFailure.Permanent;
}
