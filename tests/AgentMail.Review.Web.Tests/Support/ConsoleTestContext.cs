using AgentMail.Review.Core;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Web.Auth;
using AgentMail.Review.Web.Console;
using Bunit;
using Bunit.Rendering;
using Bunit.TestDoubles;
using Hangfire;
using Hangfire.InMemory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;

namespace AgentMail.Review.Web.Tests.Support;

/// <summary>
/// bUnit with the console's real services over a real SQLite file: what a component shows comes from the store,
/// and what it does goes through the drafts service. Time is a fake clock; the browser's zone is Europe/Berlin.
/// </summary>
public abstract class ConsoleTestContext : BunitContext, IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "amr-console-tests", Guid.NewGuid().ToString("N"));

    protected ConsoleTestContext()
    {
        Directory.CreateDirectory(_folder);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Review"] = $"Data Source={Path.Combine(_folder, "review.db")}",
            ["Review:Console:UndoWindow"] = "00:00:05",
        }).Build();

        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddLogging();
        Services.AddReviewCore(configuration);
        Services.AddSingleton<JobStorage>(new InMemoryStorage());
        Services.AddSingleton<IBackgroundJobClient>(sp => NewJobClient(sp.GetRequiredService<JobStorage>()));
        Services.AddMudServices();
        Services.AddOptions<ConsoleOptions>().Bind(configuration.GetSection(ConsoleOptions.Section));
        Services.AddSingleton<IDraftChangeStream, InProcessDraftChangeStream>();
        Services.AddSingleton<SharedQueueReads>();
        Services.AddSingleton(new Ganss.Xss.HtmlSanitizer());
        Services.AddSingleton<DraftHtml>();
        Services.AddSingleton<DraftPresence>();
        Services.AddScoped<CircuitConnection>();
        Services.AddTransient<BulkOperations>();
        Services.AddTransient<BulkOperationJob>();
        Services.AddScoped<EditKeeper>();
        Services.AddScoped<BrowserClock>();
        Services.AddScoped<KeyboardShortcuts>();
        Services.AddScoped<ConsoleUser>();
        Services.AddScoped<ConsoleActions>();
        Services.AddScoped<ConsolePreferences>();

        Auth = AddAuthorization();
        JSInterop.Mode = JSRuntimeMode.Loose;
        JSInterop.Setup<string?>("reviewConsole.timeZone").SetResult("Europe/Berlin");
        JSInterop.Setup<BrowserClock.BrowserLocale?>("reviewConsole.locale", _ => true).SetResult(new BrowserClock.BrowserLocale("en-GB", false, "CET", "CEST"));
        Services.GetRequiredService<IServiceProvider>().MigrateReviewStoreAsync().GetAwaiter().GetResult();
    }

    public FakeTimeProvider Clock { get; } = new(Start);

    /// <summary>
    /// Hangfire's client asks its static log provider for a logger. That provider holds the logger factory of the
    /// last web host an API test class started, and one being disposed on another thread can still be there: it is
    /// then forgotten (as <see cref="ReviewApiFactory"/> forgets it before disposing) and the client made again.
    /// </summary>
    private static BackgroundJobClient NewJobClient(JobStorage storage)
    {
        try
        {
            return new BackgroundJobClient(storage);
        }
        catch (ObjectDisposedException)
        {
            Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
            return new BackgroundJobClient(storage);
        }
    }

    public BunitAuthorizationContext Auth { get; }

    public DraftsService Drafts => Services.GetRequiredService<DraftsService>();

    public static readonly Actor Agent = Actor.Agent("key-1", "sales agent", "127.0.0.1");

    public void SignInAs(string email, params string[] policies)
    {
        Auth.SetAuthorized(email);
        Auth.SetClaims(new System.Security.Claims.Claim("sub", email), new System.Security.Claims.Claim("email", email));
        Auth.SetPolicies(policies);
    }

    /// <summary>The browser's locale for this test: en-GB (24 h) unless a test says otherwise.</summary>
    public async Task<BrowserClock> BrowserAsync(string timeZone, string locale, bool hour12, string? standard = null, string? daylight = null)
    {
        JSInterop.Setup<string?>("reviewConsole.timeZone").SetResult(timeZone);
        var clock = Services.GetRequiredService<BrowserClock>();
        await clock.EnsureLoadedAsync();
        clock.Apply(new BrowserClock.BrowserLocale(locale, hour12, standard, daylight));
        return clock;
    }

    /// <summary>A console page with the providers MudBlazor's dialogs, popovers and snackbars render into.</summary>
    public IRenderedComponent<ContainerFragment> RenderPage<TPage>() where TPage : Microsoft.AspNetCore.Components.IComponent => Render(builder =>
    {
        builder.OpenComponent<MudBlazor.MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<MudBlazor.MudDialogProvider>(1);
        builder.CloseComponent();
        builder.OpenComponent<MudBlazor.MudSnackbarProvider>(2);
        builder.CloseComponent();
        builder.OpenComponent<TPage>(3);
        builder.CloseComponent();
    });

    /// <summary>The review queue at <c>/</c>, as <see cref="RenderPage{TPage}"/> renders it.</summary>
    public IRenderedComponent<ContainerFragment> RenderQueue() => RenderPage<AgentMail.Review.Web.Components.Pages.Queue>();

    public void SignInAsSupervisor() => SignInAs("supervisor@example.com", ReviewPolicies.Viewer, ReviewPolicies.Supervisor);

    public async Task<string> CreateInboxAsync(string username = "sales") =>
        (await Services.GetRequiredService<InboxService>().CreateAsync(new NewInbox(username, "example.com", null, null))).InboxId;

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    /// <summary>MudBlazor's services dispose only asynchronously.</summary>
    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    protected override void Dispose(bool disposing)
    {
        // Disposed asynchronously above; the synchronous path would fail on MudBlazor's services.
    }
}
