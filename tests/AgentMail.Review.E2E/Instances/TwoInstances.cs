using System.Net.Http.Headers;
using AgentMail.Review.Core.Tests.Support;
using AgentMail.Review.E2E.Support;

namespace AgentMail.Review.E2E.Instances;

/// <summary>
/// Two real server processes on one fresh PostgreSQL database and one Redis, delivering over SMTP to one real SMTP
/// server, behind nginx running the shipped docs/nginx.conf: what an operator runs with "Running several
/// instances" in the README. The schema is applied once by <c>migrate</c>; the instances do not migrate at start.
/// </summary>
public sealed class TwoInstances : IAsyncDisposable
{
    private TwoInstances(PostgresDatabase database, SmtpSink sink, ServerOptions options)
    {
        Database = database;
        Sink = sink;
        Options = options;
    }

    public PostgresDatabase Database { get; }

    public SmtpSink Sink { get; }

    /// <summary>What both instances were started with.</summary>
    public ServerOptions Options { get; }

    public ServerProcess A { get; private set; } = null!;

    public ServerProcess B { get; private set; } = null!;

    public NginxProcess Nginx { get; private set; } = null!;

    /// <param name="environment">Settings both instances get on top of the ones here.</param>
    /// <param name="nginx">Whether to start nginx in front of them.</param>
    public static async Task<TwoInstances> StartAsync(IReadOnlyDictionary<string, string?>? environment = null, bool nginx = true)
    {
        var database = await PostgresDatabase.CreateAsync();
        var redis = await RedisServer.ConnectionStringAsync();
        var sink = await SmtpSink.StartAsync();
        var proxyPort = NginxProcess.FreeLoopbackPort();
        var settings = new Dictionary<string, string?>
        {
            ["Delivery__Transport"] = "Smtp",
            ["Delivery__Smtp__Host"] = "127.0.0.1",
            ["Delivery__Smtp__Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Delivery__Smtp__Security"] = "None",
            // Browsers sign in through the proxy, so the development provider sends them back to it.
            ["Authentication__DevIdentity__ProxyOrigins__0"] = $"http://127.0.0.1:{proxyPort}",
            ["Review__Console__UndoWindow"] = "00:00:01",
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            settings[name] = value;
        }

        var options = new ServerOptions
        {
            Postgres = database.ConnectionString,
            Redis = redis,
            MigrateOnStart = false,
            // One development key in the shared store, known to both.
            ApiKey = $"am_e2e_{Guid.NewGuid():N}",
            // Two servers, PostgreSQL and the SMTP server share two cores with the test.
            StartTimeout = TimeSpan.FromSeconds(120),
            Environment = settings,
        };
        var instances = new TwoInstances(database, sink, options);
        try
        {
            var (exitCode, output) = await ServerProcess.MigrateAsync(options);
            Assert.True(exitCode == 0, $"migrate exited with {exitCode}:\n{output}");
            // One after the other: Hangfire.PostgreSql prepares its schema as each instance starts, and two doing so
            // at the same moment can fail one of them ("could not find tuple for constraint").
            instances.A = await ServerProcess.StartAsync(options);
            instances.B = await ServerProcess.StartAsync(options);

            if (nginx)
            {
                instances.Nginx = await NginxProcess.StartAsync(proxyPort, instances.A, instances.B);
            }

            return instances;
        }
        catch
        {
            await instances.DisposeAsync();
            throw;
        }
    }

    public ServerProcess Other(ServerProcess instance) => ReferenceEquals(instance, A) ? B : A;

    /// <summary>
    /// The instance nginx sends this machine's browsers to (sticky: the same one every time), as its
    /// <c>X-Review-Instance</c> header says.
    /// </summary>
    public async Task<ServerProcess> BehindProxyAsync()
    {
        using var http = new HttpClient { BaseAddress = Nginx.BaseUrl };
        using var response = await http.GetAsync("/healthz");
        var upstream = response.Headers.TryGetValues("X-Review-Instance", out var values) ? values.Single() : "";
        return upstream == $"127.0.0.1:{A.Port}" ? A
            : upstream == $"127.0.0.1:{B.Port}" ? B
            : throw new InvalidOperationException($"nginx answered from \"{upstream}\", neither A ({A.Port}) nor B ({B.Port})");
    }

    /// <summary>Replaces a killed or stopped instance by a new process on the same port and settings.</summary>
    public async Task<ServerProcess> RestartAsync(ServerProcess instance)
    {
        var next = await instance.StartAgainAsync();
        await instance.DisposeAsync();
        if (ReferenceEquals(instance, A))
        {
            A = next;
        }
        else
        {
            B = next;
        }

        return next;
    }

    public static HttpClient Api(ServerProcess instance, string? key = null)
    {
        var client = AgentApi.Client(instance);
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (Nginx is not null)
        {
            await Nginx.DisposeAsync();
        }

        foreach (var instance in new[] { A, B })
        {
            if (instance is not null)
            {
                await instance.DisposeAsync();
            }
        }

        await Sink.DisposeAsync();
        await Database.DisposeAsync();
    }
}
