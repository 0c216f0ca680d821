using AgentMail.Review.Core.Scheduling;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Persistence;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Web.Scheduling;

public static class SchedulingExtensions
{
    public const string AdminRole = "Admin";

    /// <summary>
    /// Hangfire runs every send. With the SQLite store its storage is in memory: it forgets everything on restart, the
    /// store stays the record and <see cref="SendRecovery"/> rebuilds the jobs at start-up. With the PostgreSQL store
    /// it is Hangfire.PostgreSql in the same database, shared by every instance: each job is fetched by one instance,
    /// recurring jobs run once across them, and workers are woken by LISTEN/NOTIFY rather than polling for each job.
    /// </summary>
    public static IServiceCollection AddReviewScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        // This host's own storage and job activator, registered before Hangfire's defaults (the process-wide
        // JobStorage.Current and JobActivator.Current), so two hosts in one process — as in the tests — never run
        // each other's jobs.
        if (StoreOptions.ProviderFrom(configuration) == StoreProvider.Postgres)
        {
            var connectionString = configuration.GetConnectionString(StoreOptions.ConnectionStringName)!;
            services.AddSingleton<JobStorage>(provider =>
            {
                // Its schema is installed by `migrate` (or by an instance told to migrate): two instances preparing it
                // at the same moment can fail one of them.
                var options = JobStorageOptions(prepareSchema: provider.GetRequiredService<IOptions<StoreOptions>>().Value.MigratesOnStart);
                return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
            });
            services.AddSingleton(JobStorageKind.Shared);
        }
        else
        {
            services.AddSingleton<JobStorage>(new InMemoryStorage(new InMemoryStorageOptions { IdType = InMemoryStorageIdType.Long }));
        }

        services.AddSingleton<JobActivator>(provider => new ScopedJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((provider, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(provider.GetRequiredService<JobStorage>()));
        services.AddHangfireServer((provider, server) =>
        {
            var options = provider.GetRequiredService<IOptions<SchedulingOptions>>().Value;
            server.SchedulePollingInterval = options.PollingInterval;
            server.WorkerCount = options.Workers;
            server.ServerName = ServerNameOf(provider.GetRequiredService<SendingInstance>());
        });
        services.AddHealthChecks().AddCheck<SchedulerHealthCheck>("scheduler");
        return services;
    }

    /// <summary>
    /// <c>migrate</c>'s part for Hangfire: with the PostgreSQL store, installs or upgrades the <c>hangfire</c> schema
    /// its job storage lives in (in-memory storage needs none).
    /// </summary>
    public static void InstallJobStorageSchema(IConfiguration configuration)
    {
        if (StoreOptions.ProviderFrom(configuration) == StoreProvider.Postgres)
        {
            var options = JobStorageOptions(prepareSchema: true);
            _ = new PostgreSqlStorage(new NpgsqlConnectionFactory(configuration.GetConnectionString(StoreOptions.ConnectionStringName)!, options), options);
        }
    }

    private static PostgreSqlStorageOptions JobStorageOptions(bool prepareSchema) => new()
    {
        SchemaName = "hangfire",
        PrepareSchemaIfNecessary = prepareSchema,
        EnableLongPolling = true,
        // A fallback only: a job enqueued by any instance wakes the workers through NOTIFY.
        QueuePollInterval = TimeSpan.FromSeconds(1),
        // A send runs as long as it takes; no other instance fetches it again meanwhile.
        UseSlidingInvisibilityTimeout = true,
        DistributedLockTimeout = TimeSpan.FromMinutes(1),
    };

    /// <summary>The dashboard at <c>/hangfire</c>, for admins only.</summary>
    public static IEndpointRouteBuilder MapReviewScheduling(this IEndpointRouteBuilder routes)
    {
        routes.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new AdminsOnly()],
            DisplayStorageConnectionString = false,
            DashboardTitle = "AgentMail Review jobs",
        });
        return routes;
    }

    /// <summary>Reschedules what the store says is scheduled and registers the recurring due-sweep.</summary>
    public static async Task StartSchedulingAsync(this WebApplication app)
    {
        await app.Services.GetRequiredService<SendRecovery>().RecoverAsync();
        var options = app.Services.GetRequiredService<IOptions<SchedulingOptions>>().Value;
        app.Services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate<DueSweepJob>(DueSweepJob.RecurringJobId, job => job.RunAsync(), options.SweepCron);
        app.Services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate<Core.Webhooks.WebhookDeliveryJob>(Core.Webhooks.WebhookDeliveryJob.SweepJobId, job => job.SweepAsync(), "*/30 * * * * *");
    }

    private sealed class AdminsOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var user = context.GetHttpContext().User;
            return user.Identity?.IsAuthenticated == true && user.IsInRole(AdminRole);
        }
    }

    /// <summary>This instance's Hangfire server, told apart from other instances' in shared job storage.</summary>
    private static string ServerNameOf(SendingInstance instance) => $"review-{instance.Id.Replace('/', '-')}";

    /// <summary>Healthy while this instance's own Hangfire server reports in; other instances' servers say nothing of it.</summary>
    private sealed class SchedulerHealthCheck(JobStorage storage, SendingInstance instance, TimeProvider clock) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            var name = ServerNameOf(instance);
            var servers = storage.GetMonitoringApi().Servers();
            var now = clock.GetUtcNow().UtcDateTime;
            var alive = servers.Any(s => s.Name.StartsWith(name, StringComparison.OrdinalIgnoreCase) && s.Heartbeat is { } beat && now - beat < TimeSpan.FromMinutes(1));
            return Task.FromResult(alive
                ? HealthCheckResult.Healthy("this instance's Hangfire server is running")
                : HealthCheckResult.Unhealthy("this instance's Hangfire server has not reported in the last minute"));
        }
    }
}
