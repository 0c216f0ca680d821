using AgentMail.Review.Core.Drafts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AgentMail.Review.Core.Persistence.Postgres;

/// <summary>The shared store: one PostgreSQL database for any number of instances.</summary>
public static class PostgresStore
{
    public static IServiceCollection AddPostgresStore(this IServiceCollection services, string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:Review must name the PostgreSQL database when Review:Store:Provider is Postgres (e.g. Host=db;Database=review;Username=review;Password=...).");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"ConnectionStrings:Review is not a valid PostgreSQL connection string: {e.Message}", e);
        }

        if (string.IsNullOrWhiteSpace(builder.Host) || string.IsNullOrWhiteSpace(builder.Database))
        {
            throw new InvalidOperationException("ConnectionStrings:Review needs a Host and a Database for the PostgreSQL store.");
        }

        // Made and disposed by the container, so a stopped host leaves no connection open.
        services.AddSingleton(_ => NpgsqlDataSource.Create(builder.ConnectionString));
        services.AddSingleton(provider => new StoreWriteHealth(null, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<StoreWriteHealth>>()));
        services.AddPooledDbContextFactory<PostgresReviewDbContext>((provider, options) =>
            options.UseNpgsql(provider.GetRequiredService<NpgsqlDataSource>())
                // Built ahead of time (see CompiledModel/README.md); CompiledModelTests fails when it no longer matches the code.
                .UseModel(CompiledModel.PostgresReviewDbContextModel.Instance)
                .ConfigureWarnings(warnings => warnings.Ignore(RelationalEventId.PendingModelChangesWarning)));
        services.AddSingleton<IDbContextFactory<ReviewDbContext>>(provider =>
            new AsReviewDbContext(provider.GetRequiredService<IDbContextFactory<PostgresReviewDbContext>>()));
        services.AddSingleton<IStoreWriteGate, PostgresWriteGate>();
        services.AddSingleton<IStoreMigrator, PostgresMigrator>();
        services.AddSingleton<IClaimOwners, PostgresClaimOwners>();
        services.AddSingleton<IDraftTextSearch, PostgresDraftSearch>();
        services.AddSingleton<PostgresInstancePresence>();
        services.AddHostedService(provider => provider.GetRequiredService<PostgresInstancePresence>());
        services.AddHostedService<PostgresEventWakeup>();
        return services;
    }

    /// <summary>Services ask for the store as <see cref="ReviewDbContext"/>; here that is the PostgreSQL context.</summary>
    private sealed class AsReviewDbContext(IDbContextFactory<PostgresReviewDbContext> inner) : IDbContextFactory<ReviewDbContext>
    {
        public ReviewDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<ReviewDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await inner.CreateDbContextAsync(cancellationToken);
    }
}
