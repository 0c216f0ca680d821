using System.Net.Sockets;

namespace AgentMail.Review.E2E.Support;

/// <summary>The Redis the several-instances tests share, named by <c>REVIEW_TEST_REDIS</c> (host:port; <c>.ci/services</c> starts one).</summary>
public static class RedisServer
{
    public const string Variable = "REVIEW_TEST_REDIS";

    /// <summary>
    /// The connection string for <c>ConnectionStrings:Redis</c>, after checking that something answers there; fails
    /// with what to do when it is unset or down.
    /// </summary>
    public static async Task<string> ConnectionStringAsync()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set. These tests need Redis: run `. .ci/services` (it starts PostgreSQL and Redis and exports {PostgresDatabase.Variable} and {Variable}).");
        }

        var endpoint = configured.Split(',')[0];
        var colon = endpoint.LastIndexOf(':');
        var host = colon > 0 ? endpoint[..colon] : endpoint;
        var port = colon > 0 ? int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture) : 6379;
        using var probe = new TcpClient();
        try
        {
            await probe.ConnectAsync(host, port).WaitAsync(TimeSpan.FromSeconds(5));
            await using var stream = probe.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var answer = new byte[16];
            var read = await stream.ReadAsync(answer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            if (!System.Text.Encoding.ASCII.GetString(answer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{Variable} ({configured}) answered PING with something other than PONG; is it Redis?");
            }
        }
        catch (Exception e) when (e is SocketException or TimeoutException or IOException)
        {
            throw new InvalidOperationException($"Redis is not reachable at {Variable} ({configured}): {e.Message}. Start it with `. .ci/services`.", e);
        }

        return configured;
    }
}
