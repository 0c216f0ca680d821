using Microsoft.Playwright;

namespace AgentMail.Review.Bench;

/// <summary>
/// Console tabs in Debian's headless Chromium, signed in once as the development viewer: each open tab is one
/// connected console circuit on the server.
/// </summary>
public sealed class ConsoleTabs : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string ViewerEmail = "viewer@example.com";
    public const string DevPassword = "dev-password";

    /// <summary>
    /// One tab at a time, as people open them: tabs rendering at once grow the server's shared array pools, which
    /// would pass for memory the circuits hold.
    /// </summary>
    private const int OpenConcurrently = 1;

    /// <summary>Returns true once the queue grid shows what it should: "No drafts match." for 0 rows, else exactly that many rows.</summary>
    private const string GridShows = """
        rows => {
            const grid = document.querySelector('[data-testid=queue-grid]');
            if (!grid) return false;
            return rows === 0 ? grid.textContent.includes('No drafts match.') : grid.querySelectorAll('[data-testid=subject]').length === rows;
        }
        """;

    /// <summary>Returns true once the row of draft <c>id</c> shows the subject <c>subject</c>.</summary>
    private const string RowShows = """
        ([id, subject]) => {
            const row = document.querySelector(`[data-testid=queue-row][data-draft-id="${id}"]`);
            return !!row && row.textContent.includes(subject);
        }
        """;

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly IBrowserContext _context;
    private readonly List<IPage> _pages = [];

    private readonly Uri _server;

    private ConsoleTabs(IPlaywright playwright, IBrowser browser, IBrowserContext context, Uri server)
    {
        _server = server;
        _playwright = playwright;
        _browser = browser;
        _context = context;
    }

    public int Count => _pages.Count;

    public static bool Available => File.Exists(ChromiumPath);

    public static async Task<ConsoleTabs> SignInAsync(Uri server)
    {
        if (!Available)
        {
            throw new InvalidOperationException($"No Chromium at {ChromiumPath} (apt-get install chromium)");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                // Tabs share a few renderer processes, so 200 of them stay affordable next to the server.
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--renderer-process-limit=4", "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
                ],
            });
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.ToString(), Locale = "en-GB", TimezoneId = "UTC" });
            context.SetDefaultTimeout(60_000);

            // Straight to the sign-in endpoint and back to a plain JSON page: signing in opens no circuit.
            var page = await context.NewPageAsync();
            await page.GotoAsync("/account/signin?returnUrl=%2Faccount%2Fme");
            await page.GetByLabel("Email").FillAsync(ViewerEmail);
            await page.GetByLabel("Password").FillAsync(DevPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.WaitForURLAsync("**/account/me");
            await page.CloseAsync();
            return new ConsoleTabs(playwright, browser, context, server);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Opens tabs on the review queue until <paramref name="count"/> are open, each waited on until its grid shows <paramref name="rows"/> rows.</summary>
    public async Task OpenUntilAsync(int count, int rows, CancellationToken ct)
    {
        var missing = Math.Max(0, count - _pages.Count);
        var opened = new IPage[missing];
        await Parallel.ForEachAsync(Enumerable.Range(0, missing), new ParallelOptions { MaxDegreeOfParallelism = OpenConcurrently, CancellationToken = ct },
            async (i, _) => opened[i] = await OpenAsync(rows));
        _pages.AddRange(opened);
    }

    /// <summary>Closes every tab the way a person closes one: the page unloads, which tells the server to end its circuit.</summary>
    public async Task CloseAllAsync()
    {
        foreach (var page in _pages)
        {
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            page.Close += (_, _) => closed.TrySetResult();
            await page.CloseAsync(new PageCloseOptions { RunBeforeUnload = true });
            await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        _pages.Clear();
    }

    /// <summary>
    /// A person opening the console signed out, in a browser context of its own (no cookie): the sign-in form filled,
    /// then the clock runs from pressing "Sign in" until the page at <paramref name="returnPath"/> is there — for the
    /// queue, until its grid shows <paramref name="rows"/> rows.
    /// </summary>
    public async Task<TimeSpan> TimeSignInAsync(string returnPath, int? rows)
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB", TimezoneId = "UTC" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_server, $"/account/signin?returnUrl={Uri.EscapeDataString(returnPath)}").ToString());
        await page.GetByLabel("Email").FillAsync(ViewerEmail);
        await page.GetByLabel("Password").FillAsync(DevPassword);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        if (rows is { } count)
        {
            await page.WaitForFunctionAsync(GridShows, count, new PageWaitForFunctionOptions { PollingInterval = 10, Timeout = 60_000 });
        }
        else
        {
            await page.WaitForURLAsync($"**{returnPath}", new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });
        }

        var elapsed = clock.Elapsed;
        await page.CloseAsync(new PageCloseOptions { RunBeforeUnload = true });
        return elapsed;
    }

    /// <summary>The draft in the first row of the first open tab's queue.</summary>
    public Task<string> FirstRowDraftIdAsync() =>
        _pages[0].EvalOnSelectorAsync<string>("[data-testid=queue-row]", "row => row.getAttribute('data-draft-id')");

    /// <summary>
    /// Waits until <paramref name="sample"/> of the open tabs, spread over them, show <paramref name="subject"/> in the
    /// row of <paramref name="draftId"/>; returns when each one did, measured from <paramref name="since"/>.
    /// </summary>
    public async Task<IReadOnlyList<TimeSpan>> WaitForRowAsync(int sample, string draftId, string subject, long since)
    {
        var tabs = Enumerable.Range(0, Math.Min(sample, _pages.Count)).Select(i => _pages[i * _pages.Count / Math.Min(sample, _pages.Count)]).ToList();
        return await Task.WhenAll(tabs.Select(async tab =>
        {
            await tab.WaitForFunctionAsync(RowShows, new[] { draftId, subject }, new PageWaitForFunctionOptions { PollingInterval = 5, Timeout = 10_000 });
            return System.Diagnostics.Stopwatch.GetElapsedTime(since);
        }));
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        await _browser.CloseAsync();
        _playwright.Dispose();
    }

    private async Task<IPage> OpenAsync(int rows)
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync("/");
        await page.WaitForFunctionAsync(GridShows, rows, new PageWaitForFunctionOptions { PollingInterval = 100 });
        return page;
    }
}
