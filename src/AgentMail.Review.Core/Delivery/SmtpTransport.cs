using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AgentMail.Review.Core.Delivery;

/// <summary>Delivers through a real SMTP server with MailKit, one connection per message.</summary>
public sealed class SmtpTransport(IOptions<DeliveryOptions> options, TimeProvider clock) : IMailTransport
{
    public async Task DeliverAsync(MimeMessage message, CancellationToken ct)
    {
        var settings = options.Value.Smtp;
        var host = settings.Host ?? throw new InvalidOperationException("Delivery:Smtp:Host is not set");
        var server = $"{host}:{settings.Port}";

        // MailKit's own timeout covers one read or write; this one bounds the whole conversation, so a server that
        // answers just often enough to keep each read alive still cannot hold a send for longer than Timeout.
        using var deadline = new CancellationTokenSource(settings.Timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        using var client = new SmtpClient { Timeout = (int)Math.Min(settings.Timeout.TotalMilliseconds, int.MaxValue) };
        try
        {
            await client.ConnectAsync(host, settings.Port, ToMailKit(settings.Security), linked.Token);
            if (!string.IsNullOrEmpty(settings.User))
            {
                await client.AuthenticateAsync(settings.User, settings.Password ?? string.Empty, linked.Token);
            }

            await client.SendAsync(message, linked.Token);
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
            new DeliveryException($"recipient {c.Mailbox?.Address} rejected: {Reply(c)}", IsTransient(c), e),
        SmtpCommandException { ErrorCode: SmtpErrorCode.SenderNotAccepted } c =>
            new DeliveryException($"sender {c.Mailbox?.Address} rejected: {Reply(c)}", IsTransient(c), e),
        SmtpCommandException c =>
            new DeliveryException($"SMTP server {server} answered {Reply(c)}", IsTransient(c), e),
        AuthenticationException =>
            new DeliveryException($"SMTP server {server} rejected the credentials of user {settings.User}: {OneLine(e.Message)}", transient: false, e),
        SslHandshakeException =>
            new DeliveryException($"TLS handshake with SMTP server {server} failed: {OneLine(e.Message.Replace(SslPreamble, string.Empty, StringComparison.Ordinal))}", transient: false, e),
        // MailKit says so when the server lacks STARTTLS or AUTH that the settings require: only a settings change helps.
        NotSupportedException =>
            new DeliveryException($"SMTP server {server} cannot be used with these settings: {OneLine(e.Message)}", transient: false, e),
        SmtpProtocolException =>
            new DeliveryException($"SMTP server {server} broke off the conversation: {OneLine(e.Message)}", transient: true, e),
        OperationCanceledException or TimeoutException =>
            new DeliveryException($"SMTP server {server} did not answer within {settings.Timeout.TotalSeconds:0.###} s", transient: true, e),
        SocketException s => Connection(s, server, host: settings.Host!),
        IOException { InnerException: SocketException s } => Connection(s, server, host: settings.Host!),
        IOException =>
            new DeliveryException($"connection to SMTP server {server} was lost: {OneLine(e.Message)}", transient: true, e),
        ServiceNotConnectedException =>
            new DeliveryException($"connection to SMTP server {server} was lost: {OneLine(e.Message)}", transient: true, e),
        _ => null,
    };

    private static DeliveryException Connection(SocketException e, string server, string host) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => new DeliveryException($"SMTP server {server} refused the connection", transient: true, e),
        SocketError.TimedOut => new DeliveryException($"SMTP server {server} did not answer the connection attempt", transient: true, e),
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain =>
            new DeliveryException($"SMTP server host {host} could not be found", transient: true, e),
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown =>
            new DeliveryException($"SMTP server {server} dropped the connection", transient: true, e),
        _ => new DeliveryException($"could not talk to SMTP server {server}: {OneLine(e.Message)}", transient: true, e),
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

    private static bool IsTransient(SmtpCommandException e) => (int)e.StatusCode is >= 400 and < 500;
}
