using AgentMail.Review.Core.Drafts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>The embedded store: one SQLite file in write-ahead-log mode, one process, commits flushed in groups.</summary>
public static class SqliteStore
{
    public static IServiceCollection AddSqliteStore(this IServiceCollection services, string? configuredConnectionString)
    {
        var connectionString = SqliteConnectionString.Prepare(configuredConnectionString);
        services.AddSingleton<WalGroupCommit>();
        services.AddSingleton<WalFilesHold>();
        services.AddSingleton(provider => new StoreWriteHealth(
            SqliteConnectionString.FolderOf(connectionString), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<StoreWriteHealth>>()));
        services.AddPooledDbContextFactory<ReviewDbContext>((provider, options) =>
            options.UseSqlite(connectionString)
                // Built ahead of time by `dotnet ef dbcontext optimize` (see CompiledModel/README.md) instead of by
                // conventions at every start; CompiledModelTests fails when it no longer matches the code.
                .UseModel(CompiledModel.ReviewDbContextModel.Instance)
                // Comparing the model with the migrations' snapshot costs every start-up about a second of CPU; the
                // test suite makes that comparison instead (a model change without its migration fails a test).
                .ConfigureWarnings(warnings => warnings.Ignore(RelationalEventId.PendingModelChangesWarning))
                .AddInterceptors(
                    new SqlitePragmas(provider.GetRequiredService<WalGroupCommit>(), provider.GetRequiredService<StoreWriteHealth>()),
                    new StorageFullInterceptor(provider.GetRequiredService<StoreWriteHealth>())));
        services.AddSingleton<IStoreWriteGate, SqliteWriteGate>();
        services.AddSingleton<StoreInstanceLock>();
        services.AddSingleton<IStoreMigrator, SqliteMigrator>();
        services.AddSingleton<IClaimOwners, SqliteClaimOwners>();
        services.AddSingleton<IDraftTextSearch, Fts5DraftSearch>();
        return services;
    }
}
