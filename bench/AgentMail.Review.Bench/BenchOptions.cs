using System.Globalization;

namespace AgentMail.Review.Bench;

public enum Scenario
{
    List,
    Create,
    Scheduled,
    Live,
    Circuits,
    Send,
    Events,
    Stores,
    Startup,
    All,
}

/// <summary>The command line. Every figure the bench prints depends only on these and the machine.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        AgentMail Review benchmark: starts the real server on loopback and measures it over HTTP.

          dotnet run -c Release --project bench/AgentMail.Review.Bench -- [options]

        Options:
          --quick                     small sizes (list 1,000 and 5,000; creates 2,000; scheduled 500; live 1 and 5
                                      clients; circuits 1 and 3; send 20 agents × 3 drafts), for a smoke run
          --scenario list|create|scheduled|live|circuits|send|events|stores|startup|all   which scenarios to run (default
                                      all: every one but stores, the same figures on SQLite and PostgreSQL, which needs a
                                      server, and startup, which publishes the server and an empty app first)
          --postgres CONNECTION       the PostgreSQL server for stores (default REVIEW_TEST_POSTGRES), e.g. Host=127.0.0.1;Port=55432;Username=review;Password=review
          --sizes 10000,100000,1000000  store sizes for the list scenario
          --create-count N            drafts created through the API (and inserted raw) by the create scenario (default 20000)
          --live-clients 1,20,100     connected hub clients for the live-update scenario
          --circuits 1,50,100,200     connected console circuits for the memory scenario
          --scheduled-count N         drafts created through the API and due at one send_at (default 10000)
          --send-clients N            agents sending at once in the send scenario (default 200)
          --send-drafts N             drafts each of those agents sends, one after another (default 10)
          --clients N                 concurrent HTTP clients creating scheduled drafts (default 16)
          --send-at-offset-ms N       milliseconds past the whole second of the shared send_at (default 500)
          --requests N                timed requests per list shape, after warm-up (default 200, at least 200)
          --out DIR                   where results.json and results.md go (default artifacts/bench)
          --server-dll PATH           the server to run (default: the Web project's build in this configuration)
          --server-env NAME=VALUE     extra server setting, repeatable (e.g. Review__Scheduling__Workers=4)
          --keep-data                 keep the temporary SQLite files
          --help                      this text
        """;

    public bool Quick { get; init; }

    public Scenario Scenario { get; init; } = Scenario.All;

    public IReadOnlyList<int> Sizes { get; init; } = [10_000, 100_000, 1_000_000];

    public int CreateCount { get; init; } = 20_000;

    public IReadOnlyList<int> LiveClients { get; init; } = [1, 20, 100];

    public IReadOnlyList<int> Circuits { get; init; } = [1, 50, 100, 200];

    public int ScheduledCount { get; init; } = 10_000;

    public int Clients { get; init; } = 16;

    /// <summary>Agents sending at once in the send scenario, each from its own inbox.</summary>
    public int SendClients { get; init; } = 200;

    /// <summary>Drafts each sending agent sends, one after another.</summary>
    public int SendDrafts { get; init; } = 10;

    /// <summary>Where in its second the shared send_at falls; an agent computing "now + 60 s" lands anywhere in it.</summary>
    public int SendAtOffsetMs { get; init; } = 500;

    public int Requests { get; init; } = 200;

    public int WarmupRequests { get; init; } = 30;

    public string OutputFolder { get; init; } = Path.Combine(ServerLauncher.RepositoryRoot, "artifacts", "bench");

    public string ServerDll { get; init; } = ServerLauncher.DefaultServerDll;

    public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();

    public bool KeepData { get; init; }

    public bool ShowHelp { get; init; }

    public bool RunsList => Scenario is Scenario.List or Scenario.All;

    public bool RunsCreate => Scenario is Scenario.Create or Scenario.All;

    public bool RunsScheduled => Scenario is Scenario.Scheduled or Scenario.All;

    public bool RunsLive => Scenario is Scenario.Live or Scenario.All;

    public bool RunsCircuits => Scenario is Scenario.Circuits or Scenario.All;

    public bool RunsSend => Scenario is Scenario.Send or Scenario.All;

    public bool RunsEvents => Scenario is Scenario.Events or Scenario.All;

    public bool RunsStores => Scenario is Scenario.Stores;

    /// <summary>In a full run too; the quick run leaves it out (it publishes the server and an empty app first).</summary>
    public bool RunsStartup => Scenario is Scenario.Startup || (Scenario is Scenario.All && !Quick);

    /// <summary>A PostgreSQL server (no database: each measurement makes its own) for the stores scenario.</summary>
    public string? PostgresServer { get; init; } = Environment.GetEnvironmentVariable("REVIEW_TEST_POSTGRES") is { Length: > 0 } server ? server : null;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        var quick = args.Contains("--quick");
        if (quick)
        {
            options = options with
            {
                Quick = true, Sizes = [1_000, 5_000], CreateCount = 2_000, ScheduledCount = 500, LiveClients = [1, 5], Circuits = [1, 3],
                SendClients = 20, SendDrafts = 3,
            };
        }

        var environment = new Dictionary<string, string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            options = arg switch
            {
                "--quick" => options,
                "--help" or "-h" => options with { ShowHelp = true },
                "--keep-data" => options with { KeepData = true },
                "--postgres" => options with { PostgresServer = Value() },
                "--scenario" => options with { Scenario = ParseScenario(Value()) },
                "--sizes" => options with { Sizes = ParseSizes(Value()) },
                "--create-count" => options with { CreateCount = ParsePositive(arg, Value()) },
                "--live-clients" => options with { LiveClients = ParseSizes(Value()) },
                "--circuits" => options with { Circuits = ParseSizes(Value()) },
                "--scheduled-count" => options with { ScheduledCount = ParsePositive(arg, Value()) },
                "--clients" => options with { Clients = ParsePositive(arg, Value()) },
                "--send-clients" => options with { SendClients = ParsePositive(arg, Value()) },
                "--send-drafts" => options with { SendDrafts = ParsePositive(arg, Value()) },
                "--send-at-offset-ms" => options with { SendAtOffsetMs = ParseOffset(Value()) },
                "--requests" => options with { Requests = Math.Max(200, ParsePositive(arg, Value())) },
                "--out" => options with { OutputFolder = Path.GetFullPath(Value()) },
                "--server-dll" => options with { ServerDll = Path.GetFullPath(Value()) },
                "--server-env" => AddEnvironment(options, environment, Value()),
                _ => throw new ArgumentException($"unknown option {arg} (see --help)"),
            };
        }

        return options with { ServerEnvironment = environment };
    }

    /// <summary>How the run is described in the results, so a reader can repeat it.</summary>
    public string Describe()
    {
        var parts = new List<string> { "dotnet run -c Release --project bench/AgentMail.Review.Bench --" };
        if (Quick)
        {
            parts.Add("--quick");
        }

        parts.Add($"--scenario {Scenario.ToString().ToLowerInvariant()}");
        if (RunsList)
        {
            parts.Add($"--sizes {string.Join(',', Sizes)}");
        }

        if (RunsCreate)
        {
            parts.Add($"--create-count {CreateCount}");
        }

        if (RunsLive)
        {
            parts.Add($"--live-clients {string.Join(',', LiveClients)}");
        }

        if (RunsCircuits)
        {
            parts.Add($"--circuits {string.Join(',', Circuits)}");
        }

        if (RunsScheduled)
        {
            parts.Add($"--scheduled-count {ScheduledCount} --clients {Clients} --send-at-offset-ms {SendAtOffsetMs}");
        }

        if (RunsSend)
        {
            parts.Add($"--send-clients {SendClients} --send-drafts {SendDrafts}");
        }

        parts.AddRange(ServerEnvironment.Select(e => $"--server-env {e.Key}={e.Value}"));
        return string.Join(' ', parts);
    }

    private static BenchOptions AddEnvironment(BenchOptions options, Dictionary<string, string> environment, string value)
    {
        var equals = value.IndexOf('=');
        if (equals <= 0)
        {
            throw new ArgumentException($"--server-env takes NAME=VALUE, not {value}");
        }

        environment[value[..equals]] = value[(equals + 1)..];
        return options;
    }

    private static Scenario ParseScenario(string value) => value.ToLowerInvariant() switch
    {
        "list" => Scenario.List,
        "create" => Scenario.Create,
        "scheduled" => Scenario.Scheduled,
        "live" => Scenario.Live,
        "circuits" => Scenario.Circuits,
        "send" => Scenario.Send,
        "events" => Scenario.Events,
        "stores" => Scenario.Stores,
        "startup" => Scenario.Startup,
        "all" => Scenario.All,
        _ => throw new ArgumentException($"--scenario takes list, create, scheduled, live, circuits, send, events, stores, startup or all, not {value}"),
    };

    private static List<int> ParseSizes(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => ParsePositive("a list of counts", s.Replace("_", "", StringComparison.Ordinal)))
            .ToList();

    private static int ParseOffset(string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 999
            ? n
            : throw new ArgumentException($"--send-at-offset-ms takes 0 to 999, not {value}");

    private static int ParsePositive(string option, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{option} takes a positive whole number, not {value}");
}
