using AgentMail.Review.Core.ApiKeys;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Persistence;
using AgentMail.Review.Core.Persistence.Sqlite;
using AgentMail.Review.Core.Scheduling;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace AgentMail.Review.Core;

public static class ReviewCoreServiceCollectionExtensions
{
    /// <summary>The store, the drafts service (the one doorway), queries and delivery.</summary>
    public static IServiceCollection AddReviewCore(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = StoreConnection.Prepare(configuration.GetConnectionString(StoreConnection.ConnectionStringName));
        services.AddSingleton<WalGroupCommit>();
        services.AddSingleton(provider => new StoreWriteHealth(
            StoreConnection.FolderOf(connectionString), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<StoreWriteHealth>>()));
        services.AddPooledDbContextFactory<ReviewDbContext>((provider, options) =>
            options.UseSqlite(connectionString)
                // Comparing the model with the migrations' snapshot costs every start-up about a second of CPU; the
                // test suite makes that comparison instead (a model change without its migration fails a test).
                .ConfigureWarnings(warnings => warnings.Ignore(RelationalEventId.PendingModelChangesWarning))
                .AddInterceptors(
                    new SqlitePragmas(provider.GetRequiredService<WalGroupCommit>(), provider.GetRequiredService<StoreWriteHealth>()),
                    new StorageFullInterceptor(provider.GetRequiredService<StoreWriteHealth>())));
        services.AddSingleton<StoreWriteLock>();
        services.AddSingleton<Events.EventSignal>();
        services.AddSingleton<StoreCommit>();
        services.AddSingleton<Events.EventLogReader>();
        services.AddSingleton<Persistence.Sqlite.StoreInstanceLock>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<DraftLimits>().Bind(configuration.GetSection(DraftLimits.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InboxOptions>().Bind(configuration.GetSection(InboxOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ReviewPolicyOptions>().Bind(configuration.GetSection(ReviewPolicyOptions.Section));
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<DraftValidator>();
        services.AddSingleton<DraftChangeFeed>();
        services.AddSingleton<DraftsService>();
        services.AddSingleton<DraftQueries>();
        services.AddSingleton<IDraftTextSearch, Persistence.Sqlite.Fts5DraftSearch>();
        services.AddSingleton<ReviewQueue>();
        services.AddSingleton<Audit.AuditTrail>();
        services.AddSingleton<InboxService>();
        services.AddSingleton<Inbound.InboundMailService>();
        services.AddSingleton<MessageQueries>();
        services.AddSingleton<MessageService>();
        services.AddSingleton<Forwarding>();
        services.AddSingleton<Threads.ThreadQueries>();
        services.AddSingleton<Threads.ThreadService>();
        services.AddSingleton<Attachments.AttachmentQueries>();
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<SendingInstance>();
        services.AddSingleton<DraftSender>();
        services.AddSingleton<SendService>();
        services.AddSingleton<Idempotency.IdempotencyKeys>();
        services.AddOptions<SchedulingOptions>().Bind(configuration.GetSection(SchedulingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SendScheduler>();
        services.AddOptions<Webhooks.WebhookOptions>().Bind(configuration.GetSection(Webhooks.WebhookOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Webhooks.WebhookUrlPolicy>();
        services.AddSingleton<Webhooks.WebhookService>();
        services.AddSingleton<Webhooks.WebhookHttp>();
        services.AddSingleton<Webhooks.WebhookFanOut>();
        services.AddHostedService(sp => sp.GetRequiredService<Webhooks.WebhookFanOut>());
        services.AddTransient<Webhooks.WebhookDeliveryJob>();
        services.AddSingleton<SendRecovery>();
        services.AddTransient<SendDraftJob>();
        services.AddTransient<DueSweepJob>();
        services.AddSingleton<OutboxTransport>();
        services.AddSingleton<SmtpTransport>();
        services.AddSingleton<IMailTransport>(sp =>
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DeliveryOptions>>().Value.Transport == TransportKind.Smtp
                ? sp.GetRequiredService<SmtpTransport>()
                : sp.GetRequiredService<OutboxTransport>());
        return services;
    }

    /// <summary>
    /// Applies pending migrations and turns on write-ahead logging (kept in the file once set). Returns the store's
    /// journal mode and synchronous setting, for the start-up log.
    /// </summary>
    public static async Task<string> MigrateReviewStoreAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<ReviewDbContext>>();
        await using var db = await factory.CreateDbContextAsync(ct);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        if (connection.DataSource != ":memory:")
        {
            services.GetRequiredService<Persistence.Sqlite.StoreInstanceLock>().Acquire(connection.DataSource);
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.CloseConnectionAsync();
        }

        // Opening an up-to-date store reads the history table only.
        if ((await db.Database.GetPendingMigrationsAsync(ct)).Any())
        {
            await db.Database.MigrateAsync(ct);
        }

        // Group commit only for a store really in WAL mode, at the file SQLite itself opened.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var journal = await db.Database.SqlQueryRaw<string>("SELECT journal_mode AS Value FROM pragma_journal_mode").SingleAsync(ct);
            var file = await db.Database.SqlQueryRaw<string>("SELECT file AS Value FROM pragma_database_list WHERE name = 'main'").SingleAsync(ct);
            if (journal == "wal" && !string.IsNullOrEmpty(file))
            {
                services.GetRequiredService<WalGroupCommit>().Use(file);
                return $"journal_mode={journal}, synchronous=normal, commits flushed to disk in groups before they are acknowledged";
            }

            return $"journal_mode={journal}, synchronous=full, each commit flushed to disk by itself";
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
