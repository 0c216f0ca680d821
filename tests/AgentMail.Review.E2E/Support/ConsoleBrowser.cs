using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace AgentMail.Review.E2E.Support;

/// <summary>
/// Debian's Chromium driven by Playwright (its own browser download cannot work here) against one real server with
/// the development sign-in. Each test opens its own browser contexts, so pages never share storage between tests; a
/// user's sign-in cookie is the one thing reused, as a supervisor's next tab would.
/// </summary>
public sealed class ConsoleBrowser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DevPassword = "dev-password";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<BrowserContextCookiesResult>> _sessions = new();

    private IPlaywright? _playwright;

    public ServerProcess Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartAsync(new ServerOptions
        {
            Environment = new Dictionary<string, string?> { ["Review__Console__UndoWindow"] = "00:00:02" },
        });
        Api = new HttpClient { BaseAddress = Server.BaseUrl };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Server.ApiKey);

        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchChromiumAsync(_playwright);
    }

    /// <summary>Debian's Chromium, headless.</summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = ChromiumPath,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });

    /// <summary>
    /// A signed-in page in a fresh context, in the given browser time zone, locale and window size. The first page for
    /// an email signs in through the development provider; later ones start with that sign-in's cookies only (nothing
    /// of the page's storage), and sign in again should the server no longer take them.
    /// </summary>
    public async Task<IPage> SignInAsync(string email, string timeZone = "UTC", string locale = "en-GB", int width = 1280, int height = 800)
    {
        if (_sessions.TryGetValue(email, out var cookies))
        {
            var page = await NewPageAsync(Browser, Server.BaseUrl, timeZone, locale, width, height);
            await page.Context.AddCookiesAsync(cookies.Select(c => new Cookie
            {
                Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, Expires = c.Expires, HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite,
            }));
            await page.GotoAsync("/");
            var queue = page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" });
            await queue.Or(page.GetByLabel("Email")).First.WaitForAsync();
            if (await queue.IsVisibleAsync())
            {
                await KeysReadyAsync(page);
                return page;
            }

            await page.Context.CloseAsync();
        }

        var signedIn = await SignInAsync(Browser, Server.BaseUrl, email, timeZone, locale, width, height);
        _sessions[email] = await signedIn.Context.CookiesAsync();
        return signedIn;
    }

    /// <summary>
    /// A page signed in with the development provider at <paramref name="baseUrl"/>: a server's own address, or a
    /// proxy in front of servers.
    /// </summary>
    public static async Task<IPage> SignInAsync(IBrowser browser, Uri baseUrl, string email, string timeZone = "UTC", string locale = "en-GB", int width = 1280, int height = 800)
    {
        var page = await NewPageAsync(browser, baseUrl, timeZone, locale, width, height);
        var said = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Console += (_, message) => said.Enqueue($"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => said.Enqueue($"page error: {error}");
        await page.GotoAsync("/");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(DevPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            await page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" }).WaitForAsync();
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"The console did not show its queue after signing in as {email} at {page.Url}. The browser said:\n{string.Join("\n", said)}", e);
        }
        await KeysReadyAsync(page);
        return page;
    }

    private static async Task<IPage> NewPageAsync(IBrowser browser, Uri baseUrl, string timeZone, string locale, int width, int height)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            TimezoneId = timeZone,
            Locale = locale,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            IsMobile = width < 600,
            HasTouch = width < 600,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Ends the server at once (a crash or a power cut: an open console's circuit cannot be handed over either way, and a
    /// graceful stop can wait out its shutdown timeout on the open circuits) and starts it again on the same data and port.
    /// </summary>
    public async Task RestartServerAsync()
    {
        Server.Kill();
        Server = await Server.StartAgainAsync();
    }

    public async Task<string> CreateInboxAsync()
    {
        var response = await Api.PostAsJsonAsync("/v0/inboxes", new { username = $"e2e-{Guid.NewGuid():N}"[..16], domain = "example.com" });
        return (await ReadAsync(response))["inbox_id"]!.GetValue<string>();
    }

    public async Task<JsonObject> CreateDraftAsync(string inbox, object draft) =>
        await ReadAsync(await Api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts", draft));

    public async Task<HttpResponseMessage> GetDraftAsync(string inbox, string draftId) =>
        await Api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draftId}");

    public static async Task<JsonObject> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Waits until the queue listens to the keyboard (it starts listening once it has rendered).</summary>
    public static Task KeysReadyAsync(IPage page) => page.Locator(".review-queue[data-keys=on]").WaitForAsync();

    /// <summary>The queue narrowed to one inbox (through the address, as a link would), listening to the keyboard.</summary>
    public static async Task ShowInboxAsync(IPage page, string inbox)
    {
        await page.GotoAsync($"/?inbox={Uri.EscapeDataString(inbox)}");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" }).WaitForAsync();
        await KeysReadyAsync(page);
    }

    /// <summary>The queue row that shows this subject.</summary>
    public static ILocator Row(IPage page, string subject) =>
        page.Locator("[data-testid=queue-grid] [data-testid=queue-row]").Filter(new() { Has = page.GetByTestId("subject").GetByText(subject, new() { Exact = true }) });

    /// <summary>The reading pane, with the draft's actions.</summary>
    public static ILocator Pane(IPage page) => page.GetByTestId("draft-pane");

    /// <summary>Clicks the row with this subject and waits for the reading pane to show it.</summary>
    public static async Task<ILocator> OpenAsync(IPage page, string subject)
    {
        await Row(page, subject).GetByTestId("subject").ClickAsync();
        await Assertions.Expect(Pane(page).GetByTestId("pane-subject")).ToHaveTextAsync(subject);
        return Pane(page);
    }

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
