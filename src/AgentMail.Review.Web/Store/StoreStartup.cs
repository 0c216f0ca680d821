using AgentMail.Review.Core;

namespace AgentMail.Review.Web.Store;

public static class StoreStartup
{
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
