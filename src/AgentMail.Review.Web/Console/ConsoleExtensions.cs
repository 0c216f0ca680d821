using AgentMail.Review.Web.Components;
using AgentMail.Review.Web.Drafts;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;

namespace AgentMail.Review.Web.Console;

public static class ConsoleExtensions
{
    /// <summary>The supervisor console: Blazor Server with MudBlazor, and the live drafts hub.</summary>
    public static IServiceCollection AddReviewConsole(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices();
        // Hub messages use the API's wire format, so a tool reads one shape of JSON everywhere.
        services.AddSignalR().AddJsonProtocol(json => Api.ApiJson.Configure(json.PayloadSerializerOptions));
        services.AddHostedService<DraftsHubRelay>();
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // One instance's consoles follow its own commits; AddReviewInstances swaps in the event log for several.
        services.TryAddSingleton<InProcessDraftChangeStream>();
        services.TryAddSingleton<IDraftChangeStream>(sp => sp.GetRequiredService<InProcessDraftChangeStream>());
        services.AddSingleton<SharedQueueReads>();
        // Made on first use: building its CSS tables takes a fifth of a second, which start-up need not wait for.
        services.AddSingleton(_ => new Ganss.Xss.HtmlSanitizer());
        services.AddSingleton<DraftHtml>();
        services.AddSingleton<DraftPresence>();
        services.AddTransient<AgentMail.Review.Core.Drafts.BulkOperations>();
        services.AddTransient<AgentMail.Review.Core.Drafts.BulkOperationJob>();
        services.AddScoped<EditKeeper>();
        services.AddScoped<BrowserClock>();
        services.AddScoped<KeyboardShortcuts>();
        services.AddScoped<ConsolePreferences>();
        services.AddScoped<ConsoleUser>();
        services.AddScoped<ConsoleActions>();
        services.AddScoped<CircuitConnection>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler>(sp => sp.GetRequiredService<CircuitConnection>());
        return services;
    }

    public static WebApplication MapReviewConsole(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapHub<DraftsHub>(DraftsHub.Path).RequireAuthorization(Auth.ReviewPolicies.Viewer);
        app.MapConsoleAttachments();
        // ...and made once the server is up, so the first draft a supervisor opens does not wait for it either.
        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => app.Services.GetRequiredService<DraftHtml>()));
        return app;
    }
}
