using AgentMail.Review.Core.Persistence;
using AgentMail.Review.Web.Console;
using AgentMail.Review.Web.Drafts;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AgentMail.Review.Web.Instances;

public static class InstancesExtensions
{
    /// <summary>
    /// What several instances on one store need beyond the store itself: consoles that follow every instance's commits
    /// (the event log) when the store is shared, and the SignalR Redis backplane when <c>ConnectionStrings:Redis</c>
    /// is set, with the hub relay then sending only this instance's own commits (the backplane reaches the rest).
    /// </summary>
    public static IServiceCollection AddReviewInstances(this IServiceCollection services, IConfiguration configuration)
    {
        // A SQLite file belongs to one process, so all its commits are this instance's own; PostgreSQL is shared.
        if (StoreOptions.ProviderFrom(configuration) == StoreProvider.Postgres)
        {
            services.AddSingleton<EventLogDraftChangeStream>();
            services.AddHostedService(sp => sp.GetRequiredService<EventLogDraftChangeStream>());
            services.Replace(ServiceDescriptor.Singleton<IDraftChangeStream>(sp => sp.GetRequiredService<EventLogDraftChangeStream>()));
        }

        services.AddOptions<RedisBackplaneOptions>()
            .Configure(options =>
            {
                var configured = RedisBackplaneOptions.From(configuration);
                options.ConnectionString = configured.ConnectionString;
                options.ChannelPrefix = configured.ChannelPrefix;
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RedisBackplaneOptions>, RedisBackplaneOptionsValidator>();

        var backplane = RedisBackplaneOptions.From(configuration);
        services.AddOptions<DraftsHubRelayOptions>().Configure(relay => relay.OwnCommitsOnly = backplane.Enabled);
        if (backplane.Enabled)
        {
            // Options are read when the hub first needs Redis, after start-up validation has named any bad setting.
            services.AddSignalR().AddStackExchangeRedis();
            services.AddOptions<Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisOptions>()
                .Configure<IOptions<RedisBackplaneOptions>>((redis, settings) =>
                {
                    redis.Configuration = ConfigurationOptions.Parse(settings.Value.ConnectionString!);
                    redis.Configuration.ChannelPrefix = RedisChannel.Literal(settings.Value.ChannelPrefix);
                    // Keep retrying a Redis that is down at start instead of failing the first hub message.
                    redis.Configuration.AbortOnConnectFail = false;
                });
        }

        return services;
    }
}
