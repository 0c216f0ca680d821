using AgentMail.Review.Core.ApiKeys;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Persistence;
using AgentMail.Review.Core.Persistence.Postgres;
using AgentMail.Review.Core.Persistence.Sqlite;
using AgentMail.Review.Core.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core;

public static class ReviewCoreServiceCollectionExtensions
{
    /// <summary>The store, the drafts service (the one doorway), queries and delivery.</summary>
    public static IServiceCollection AddReviewCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StoreOptions>().Bind(configuration.GetSection(StoreOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var connectionString = configuration.GetConnectionString(StoreOptions.ConnectionStringName);
        _ = StoreOptions.ProviderFrom(configuration) switch
        {
            StoreProvider.Postgres => services.AddPostgresStore(connectionString),
            _ => services.AddSqliteStore(connectionString),
        };
        services.AddSingleton<Events.EventSignal>();
        services.AddSingleton<StoreCommit>();
        services.AddSingleton<Events.EventLogReader>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<DraftLimits>().Bind(configuration.GetSection(DraftLimits.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InboxOptions>().Bind(configuration.GetSection(InboxOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ReviewPolicyOptions>().Bind(configuration.GetSection(ReviewPolicyOptions.Section));
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<DraftValidator>();
        services.AddSingleton<DraftChangeFeed>();
        services.AddSingleton<DraftsService>();
        services.AddSingleton<DraftQueries>();
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
        services.TryAddSingleton(JobStorageKind.InMemory);
        services.AddOptions<Webhooks.WebhookOptions>().Bind(configuration.GetSection(Webhooks.WebhookOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Webhooks.WebhookUrlPolicy>();
        services.AddSingleton<Webhooks.WebhookService>();
        services.AddSingleton<Webhooks.WebhookHttp>();
        services.AddSingleton<Webhooks.WebhookFanOut>();
        services.AddHostedService(sp => sp.GetRequiredService<Webhooks.WebhookFanOut>());
        services.AddTransient<Webhooks.WebhookDeliveryJob>();
        services.AddSingleton<SendRecovery>();
        services.AddTransient<SendDraftJob>();
        services.AddTransient<SendDueSecondJob>();
        services.AddSingleton<SecondJobsRunning>();
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
    /// Readies the store before the first request: migrates it when <c>Review:Store:MigrateOnStart</c> says so (by
    /// default for SQLite only), otherwise checks that its schema is current. Returns a line for the start-up log.
    /// </summary>
    public static Task<string> MigrateReviewStoreAsync(this IServiceProvider services, CancellationToken ct = default) =>
        services.GetRequiredService<IStoreMigrator>().PrepareAsync(services.GetRequiredService<IOptions<StoreOptions>>().Value.MigratesOnStart, ct);

    /// <summary>The operator's <c>migrate</c>: applies pending migrations whatever <c>MigrateOnStart</c> says.</summary>
    public static Task<string> ApplyReviewMigrationsAsync(this IServiceProvider services, CancellationToken ct = default) =>
        services.GetRequiredService<IStoreMigrator>().PrepareAsync(migrate: true, ct);
}
