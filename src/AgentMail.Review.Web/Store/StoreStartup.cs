using AgentMail.Review.Core;

namespace AgentMail.Review.Web.Store;

public static class StoreStartup
{
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

    /// <summary>Brings the SQLite file up to the current schema before the first request is served.</summary>
    public static async Task PrepareStoreAsync(this WebApplication app)
    {
        var settings = await app.Services.MigrateReviewStoreAsync();
        var dataSource = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(
            Core.Persistence.StoreConnection.Prepare(app.Configuration.GetConnectionString(Core.Persistence.StoreConnection.ConnectionStringName))).DataSource;
        app.Logger.LogInformation("SQLite store: {DatabasePath} ({StoreSettings})", Path.GetFullPath(dataSource), settings);
    }
}
