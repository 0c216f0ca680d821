using AgentMail.Review.Core;

namespace AgentMail.Review.Web.Store;

public static class StoreStartup
{
    /// <summary>
    /// <c>appsettings.json</c> ships next to the binaries, and the host reads it from its content root, the working
    /// directory. A server started elsewhere (a service manager's working directory, a data folder) reads the copy next
    /// to its binaries first; one in the working directory still wins over it.
    /// </summary>
    public static void AddSettingsFileBesideBinaries(this WebApplicationBuilder builder)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var inContentRoot = Path.Combine(builder.Environment.ContentRootPath, "appsettings.json");
        if (string.Equals(Path.GetFullPath(beside), Path.GetFullPath(inContentRoot), StringComparison.Ordinal))
        {
            return;
        }

        var sources = builder.Configuration.Sources;
        var firstJsonFile = sources.ToList().FindIndex(s => s is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource);
        var source = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path = beside, Optional = true, ReloadOnChange = false };
        source.ResolveFileProvider();
        sources.Insert(firstJsonFile < 0 ? 0 : firstJsonFile, source);
    }

    /// <summary>
    /// In Development the one configuration file lives at the repository's top level and is copied next to the
    /// binaries; it is read right after appsettings.json, so environment variables and the command line still win.
    /// </summary>
    public static void AddDevelopmentSettingsFile(this WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            return;
        }

        var path = Path.Combine(AppContext.BaseDirectory, "appsettings.Development.json");
        var sources = builder.Configuration.Sources;
        var afterJsonFiles = sources.ToList().FindLastIndex(s => s is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource) + 1;
        var development = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path = path, Optional = true, ReloadOnChange = false };
        development.ResolveFileProvider();
        sources.Insert(afterJsonFiles, development);
    }

    /// <summary>Readies the store (migrating it where it should, see <see cref="Core.Persistence.StoreOptions.MigrateOnStart"/>) before the first request is served.</summary>
    public static async Task PrepareStoreAsync(this WebApplication app)
    {
        var store = await app.Services.MigrateReviewStoreAsync();
        app.Logger.LogInformation("Store: {Store}", store);
    }

    /// <summary>
    /// <c>migrate</c>: applies the store's pending migrations and exits, for an operator to run once before starting (or
    /// upgrading) instances that share a PostgreSQL store. Returns false when the arguments ask for no command.
    /// </summary>
    public static async Task<bool> RunStoreCommandAsync(this WebApplication app, string[] args)
    {
        if (args is not ["migrate", ..])
        {
            return false;
        }

        var store = await app.Services.ApplyReviewMigrationsAsync();
        Scheduling.SchedulingExtensions.InstallJobStorageSchema(app.Configuration);
        app.Logger.LogInformation("Migrated: {Store}, and the job storage's schema", store);
        return true;
    }
}
