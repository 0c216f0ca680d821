using AgentMail.Review.Core.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AgentMail.Review.Core.Persistence.Postgres;

/// <summary>
/// Listens for <see cref="PostgresWriteGate.EventsChannel"/> and pulses this instance's <see cref="EventSignal"/> for
/// every commit with events, whichever instance made it: webhooks, the websocket and the consoles then read the log.
/// A notification carries nothing; one missed while the connection was down is made up by a pulse on reconnecting.
/// </summary>
public sealed partial class PostgresEventWakeup(NpgsqlDataSource dataSource, EventSignal signal, TimeProvider clock, ILogger<PostgresEventWakeup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Pulse();
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresWriteGate.EventsChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                signal.Pulse();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogLost(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for other instances' commits failed; listening again in a second")]
    private static partial void LogLost(ILogger logger, Exception exception);
}
