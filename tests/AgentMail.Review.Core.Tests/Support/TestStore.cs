using AgentMail.Review.Core;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Persistence;
using Hangfire;
using Hangfire.InMemory;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AgentMail.Review.Core.Tests.Support;

/// <summary>
/// The Core services over a real store in a fresh database (<see cref="TestDatabases"/>: a SQLite file in a temporary
/// folder here; a PostgreSQL database in the PostgreSQL run of these tests), with time driven by a
/// <see cref="FakeTimeProvider"/>. Extra configuration and service replacements come through the constructor.
/// </summary>
public sealed class TestStore : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "amr-tests", Guid.NewGuid().ToString("N"));

    private readonly bool _ownsFolder = true;

    private readonly ITestDatabase _database;

    private TestStore(IDictionary<string, string?>? settings, Action<IServiceCollection>? configure, string? folder = null, ITestDatabase? database = null)
    {
        if (folder is not null)
        {
            _folder = folder;
            _ownsFolder = false;
        }

        Directory.CreateDirectory(_folder);
        DatabasePath = Path.Combine(_folder, "review.db");
        _database = database ?? TestDatabases.New(DatabasePath);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Delivery:FirstRetryDelay"] = "00:00:01",
                // Sending mechanics are tested in inboxes without review; the gate's tests turn it on per inbox.
                ["Review:Policy:DefaultReviewRequired"] = "false",
            })
            .AddInMemoryCollection(_database.Settings)
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddReviewCore(configuration);
        // Real Hangfire storage and client; tests that need jobs executed start a server with StartJobServer.
        services.AddSingleton<JobStorage>(new InMemoryStorage());
        services.AddSingleton<IBackgroundJobClient>(sp => new BackgroundJobClient(sp.GetRequiredService<JobStorage>()));
        configure?.Invoke(services);
        Services = services.BuildServiceProvider(validateScopes: true);
    }

    public FakeTimeProvider Clock { get; } = new(Start);

    /// <summary>The SQLite file, for the tests of SQLite itself.</summary>
    public string DatabasePath { get; }

    public ServiceProvider Services { get; }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public static async Task<TestStore> CreateAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var store = new TestStore(settings, configure);
        await store._database.CreateAsync();
        await store.Services.MigrateReviewStoreAsync();
        return store;
    }

    /// <summary>A store whose SQLite file lives in <paramref name="folder"/> (left in place on dispose).</summary>
    public static async Task<TestStore> CreateInAsync(string folder, IDictionary<string, string?>? settings = null)
    {
        var store = new TestStore(settings, null, folder);
        await store._database.CreateAsync();
        await store.Services.MigrateReviewStoreAsync();
        return store;
    }

    /// <summary>
    /// Fresh services over the same database, as a restarted process would have. The previous services stop first
    /// (a process that died holds no lock on the store); the previous store keeps the folder.
    /// </summary>
    public static async Task<TestStore> ReopenAsync(TestStore previous, Action<IServiceCollection>? configure = null)
    {
        await previous.Services.DisposeAsync();
        previous._database.LetGo();
        var store = new TestStore(null, configure, previous._folder, previous._database);
        store.Clock.SetUtcNow(previous.Clock.GetUtcNow());
        await store.Services.MigrateReviewStoreAsync();
        return store;
    }

    /// <summary>
    /// A second instance on this store's database while the first keeps running (a shared PostgreSQL store; one
    /// SQLite file serves one process). It leaves the database to the first.
    /// </summary>
    public static async Task<TestStore> JoinAsync(TestStore running, IDictionary<string, string?>? settings = null)
    {
        var store = new TestStore(settings, null, running._folder, running._database);
        store.Clock.SetUtcNow(running.Clock.GetUtcNow());
        await store.Services.MigrateReviewStoreAsync();
        return store;
    }

    public async Task<Inbox> CreateInboxAsync(string username = "agent", string domain = "example.com") =>
        await Get<InboxService>().CreateAsync(new NewInbox(username, domain, null, null));

    /// <summary>A Hangfire server over the store's job storage, creating jobs from this store's services.</summary>
    public BackgroundJobServer StartJobServer() => new(
        new BackgroundJobServerOptions { Activator = new ServiceActivator(Services), SchedulePollingInterval = TimeSpan.FromMilliseconds(100), WorkerCount = 4 },
        Get<JobStorage>());

    /// <summary>
    /// Sends the draft and then, as the scheduler would, each retry a transient failure schedules: the clock moves to
    /// the retry's time and the due send runs again, until the draft is sent or failed.
    /// </summary>
    public async Task<SendOutcome> SendWithRetriesAsync(Actor actor, string draftId, long version)
    {
        var outcome = await Get<DraftSender>().SendAsync(actor, draftId, version, "test");
        while (outcome.Result == SendResult.RetryScheduled)
        {
            await using var db = OpenDb();
            var draft = await db.Drafts.AsNoTracking().SingleAsync(d => d.DraftId == draftId);
            if (draft.SendAt > Clock.GetUtcNow().UtcDateTime)
            {
                Clock.SetUtcNow(new DateTimeOffset(draft.SendAt.Value, TimeSpan.Zero));
            }

            outcome = await Get<SendService>().SendDueAsync(draftId, draft.Version);
        }

        return outcome;
    }

    public ReviewDbContext OpenDb() => Get<IDbContextFactory<ReviewDbContext>>().CreateDbContext();

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        _database.LetGo();
        if (!_ownsFolder)
        {
            return;
        }

        await _database.DropAsync();

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the OS is cleaned with the temp folder.
        }
    }
}

internal sealed class ServiceActivator(IServiceProvider services) : JobActivator
{
    public override object ActivateJob(Type jobType) => ActivatorUtilities.GetServiceOrCreateInstance(services, jobType);
}

public static class TestActors
{
    /// <summary>An agent whose key may send on its own where review is off.</summary>
    public static readonly Actor Agent = Actor.Agent("key-1", "test agent", "127.0.0.1", maySend: true);

    /// <summary>An agent whose key may write and schedule but not send without a person.</summary>
    public static readonly Actor NonSendingAgent = Actor.Agent("key-2", "drafting agent", "127.0.0.1", maySend: false);
    public static readonly Actor Supervisor = Actor.Person("sup-1", "supervisor@example.com", "127.0.0.1");
}
