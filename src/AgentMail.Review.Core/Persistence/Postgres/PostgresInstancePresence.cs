using System.Security.Cryptography;
using System.Text;
using AgentMail.Review.Core.Delivery;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AgentMail.Review.Core.Persistence.Postgres;

/// <summary>
/// Each instance holds a session advisory lock named after it for as long as it runs, on a connection of its own.
/// PostgreSQL releases it the moment that connection ends, however the process ended (<c>kill -9</c> included), so
/// "is the owner of this claim still running?" is answered by trying its lock (<see cref="PostgresClaimOwners"/>).
/// </summary>
public sealed partial class PostgresInstancePresence(NpgsqlDataSource dataSource, SendingInstance instance, TimeProvider clock, ILogger<PostgresInstancePresence> logger) : BackgroundService
{
    /// <summary>The first half of every instance lock's key ("amri"); the second is the instance id's hash.</summary>
    private const int LockClass = 0x616D_7269;

    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once this instance's lock is held, before it claims anything.</summary>
    public Task Held => _held.Task;

    /// <summary>
    /// Start-up waits until the lock is held: the services started after this one (Hangfire's server, then the web
    /// server) are what claim sends, and a claim made before the lock was held would look like a gone owner's to
    /// another instance's sweep.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);
        try
        {
            await Held.WaitAsync(TimeSpan.FromSeconds(30), clock, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException($"Instance {instance.Id} could not take its presence lock in the PostgreSQL store within 30 s; is the database reachable?", e);
        }
    }

    public static int KeyOf(string instanceId) => BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(instanceId)), 0);

    public static string TryLockSql(string parameter) =>
        $"CASE WHEN pg_try_advisory_lock({LockClass}, {parameter}) THEN pg_advisory_unlock({LockClass}, {parameter}) ELSE false END";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            NpgsqlConnection? connection = null;
            try
            {
                connection = await dataSource.OpenConnectionAsync(stoppingToken);
                await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({LockClass}, $1)", connection))
                {
                    take.Parameters.AddWithValue(KeyOf(instance.Id));
                    await take.ExecuteNonQueryAsync(stoppingToken);
                }

                _held.TrySetResult();
                // Held while the connection lives; a keep-alive query notices a connection the server dropped.
                while (!stoppingToken.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), clock, stoppingToken);
                    await using var ping = new NpgsqlCommand("SELECT 1", connection);
                    await ping.ExecuteNonQueryAsync(stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogLost(logger, e, instance.Id);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
            }
            finally
            {
                await LetGoAsync(connection);
            }
        }
    }

    /// <summary>
    /// A stopping instance lets go of its lock itself: its connection goes back to the pool, where a session lock
    /// would outlive the instance.
    /// </summary>
    private static async Task LetGoAsync(NpgsqlConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        catch (NpgsqlException)
        {
            // A connection that broke holds no lock any more.
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Instance {InstanceId} lost the connection holding its presence lock; taking it again")]
    private static partial void LogLost(ILogger logger, Exception exception, string instanceId);
}
