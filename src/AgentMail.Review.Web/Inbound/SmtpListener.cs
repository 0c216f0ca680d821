using System.Buffers;
using System.Net;
using System.Security.Authentication;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Inbound;
using Microsoft.Extensions.Options;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace AgentMail.Review.Web.Inbound;

/// <summary>
/// The SMTP listener: takes mail for this server's inboxes and nothing else (no relay), within the size limit, and
/// hands each message to <see cref="InboundMailService"/>. It only speaks the protocol; what is kept is Core's business.
/// The port is bound during start-up, so a port in use stops the server with a message saying which.
/// </summary>
internal sealed partial class SmtpListener(
    IOptions<InboundSmtpOptions> options,
    IHostEnvironment environment,
    InboundMailService inbound,
    ILogger<SmtpListener> logger) : BackgroundService
{
    private readonly CancellationTokenSource _stopping = new();
    private SmtpServer.SmtpServer? _server;
    private Task _running = Task.CompletedTask;

    /// <summary>Where the listener listens, once started (the port the system chose when <c>Port</c> is 0).</summary>
    public EndPoint? LocalEndPoint { get; private set; }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.IsEnabled(environment))
        {
            LogDisabled(logger);
            return;
        }

        var endpoint = new IPEndPoint(settings.HostAddress(), settings.Port);
        var certificate = settings.LoadCertificate();
        var listeners = new SizeLimitedListenerFactory(settings.MaxMessageBytes);
        var components = new SmtpServer.ComponentModel.ServiceProvider();
        components.Add(listeners);
        components.Add(new InboxesOnly(inbound));
        components.Add(new ReceivedMessageStore(inbound, settings.MaxMessageBytes, logger));
        var smtpOptions = new SmtpServerOptionsBuilder()
            .ServerName(settings.ServerName ?? Environment.MachineName)
            // Advertised as SIZE, and a larger announced size is refused at MAIL FROM; the connections enforce it.
            .MaxMessageSize(settings.MaxMessageBytes, MaxMessageSizeHandling.Ignore)
            .CommandWaitTimeout(settings.CommandTimeout)
            .Endpoint(builder =>
            {
                builder.Endpoint(endpoint).SessionTimeout(settings.CommandTimeout);
                if (certificate is not null)
                {
                    builder.Certificate(certificate).SupportedSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13);
                }
            })
            .Build();
        _server = new SmtpServer.SmtpServer(smtpOptions, components);
        _server.SessionFaulted += (_, e) => LogSessionFaulted(logger, e.Exception);
        _running = _server.StartAsync(_stopping.Token);
        await Task.WhenAny(listeners.Started, _running);
        if (!listeners.Started.IsCompletedSuccessfully)
        {
            var problem = listeners.Started.Exception?.InnerException ?? _running.Exception?.InnerException;
            throw new InvalidOperationException(
                $"Inbound:Smtp: cannot listen on {endpoint} ({problem?.Message ?? "the listener stopped"}); set Inbound:Smtp:Port to a free port or Inbound:Smtp:Enabled to false", problem);
        }

        LocalEndPoint = listeners.Started.Result;
        LogListening(logger, LocalEndPoint.ToString() ?? endpoint.ToString(), settings.MaxMessageBytes, certificate is null ? "no STARTTLS" : "STARTTLS offered");
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _running;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _server?.Shutdown();
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        base.Dispose();
    }

    /// <summary>RCPT: only this server's inboxes. Anything else is refused, so the listener can never be used to relay.</summary>
    private sealed class InboxesOnly(InboundMailService inbound) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

        public async Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
        {
            if (await inbound.AcceptsAsync(to.AsAddress(), cancellationToken))
            {
                return true;
            }

            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "5.1.1 no such inbox here; this server takes mail only for its own inboxes"));
        }
    }

    /// <summary>DATA: parsed and stored whole, or refused with a reply code saying whether trying again can help.</summary>
    private sealed class ReceivedMessageStore(InboundMailService inbound, int maxMessageBytes, ILogger logger) : MessageStore
    {
        private static readonly byte[] LineEnd = "\r\n"u8.ToArray();

        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (context.Properties.TryGetValue(SizeLimitedListenerFactory.PipeKey, out var pipe) && ((SizeLimitedPipe)pipe).Exceeded)
            {
                return new SmtpResponse(SmtpReplyCode.SizeLimitExceeded, $"5.3.4 message too big: this server takes messages up to {maxMessageBytes} bytes");
            }

            // The library hands over the message without the CRLF that ended its last line; the stored MIME keeps it.
            var raw = new byte[buffer.Length + LineEnd.Length];
            buffer.CopyTo(raw);
            LineEnd.CopyTo(raw.AsSpan((int)buffer.Length));
            try
            {
                var message = ReceivedMail.Parse(raw);
                var stored = await inbound.ReceiveAsync(transaction.To.Select(to => to.AsAddress()).ToList(), message, raw, cancellationToken);
                return new SmtpResponse(SmtpReplyCode.Ok, $"2.0.0 Ok: received as {string.Join(", ", stored.Select(m => m.MessageId))}");
            }
            catch (MalformedMailException e)
            {
                LogRefused(logger, e.Message);
                return new SmtpResponse(SmtpReplyCode.TransactionFailed, $"5.6.0 refused: {e.Message}");
            }
            catch (NotFoundException e)
            {
                // The inbox was deleted between RCPT and the end of DATA.
                return new SmtpResponse(SmtpReplyCode.MailboxUnavailable, $"5.1.1 {e.Message}");
            }
            catch (StorageFullException)
            {
                return new SmtpResponse(SmtpReplyCode.InsufficientStorage, "4.3.1 insufficient storage; try again later");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogStoreFailed(logger, e);
                return new SmtpResponse(SmtpReplyCode.Aborted, "4.3.0 local error; nothing was kept, try again later");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Receiving mail over SMTP on {EndPoint} (messages up to {MaxMessageBytes} bytes, {Tls})")]
    private static partial void LogListening(ILogger logger, string endPoint, int maxMessageBytes, string tls);

    [LoggerMessage(Level = LogLevel.Information, Message = "The SMTP listener is off (Inbound:Smtp:Enabled); no mail is received")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a received message: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A received message could not be stored; the sender was asked to try again later")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "An SMTP session ended with an error")]
    private static partial void LogSessionFaulted(ILogger logger, Exception exception);
}
