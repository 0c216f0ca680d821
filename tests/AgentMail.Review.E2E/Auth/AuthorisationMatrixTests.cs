using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AgentMail.Review.E2E.Support;

namespace AgentMail.Review.E2E.Auth;

/// <summary>One real server for the matrix, with one signed-in browser per role, each signed in through the dev provider.</summary>
public sealed class SignedInServer : IAsyncLifetime
{
    public const string Password = "dev-password";

    private readonly ConcurrentDictionary<string, Lazy<Task<SignInBrowser>>> _browsers = new();

    public ServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ServerProcess.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var browser in _browsers.Values.Where(b => b.IsValueCreated))
        {
            (await browser.Value).Dispose();
        }

        await Server.DisposeAsync();
    }

    /// <summary>A browser for a role: "anonymous", "apikey" (the agent's key, no cookie), or a development user.</summary>
    public Task<SignInBrowser> BrowserAsync(string role) =>
        _browsers.GetOrAdd(role, r => new Lazy<Task<SignInBrowser>>(() => CreateAsync(r))).Value;

    private async Task<SignInBrowser> CreateAsync(string role)
    {
        var browser = new SignInBrowser(Server.BaseUrl);
        switch (role)
        {
            case "anonymous":
                break;
            case "apikey":
                break;
            default:
                await SignInAsync(browser, $"{role}@example.com", Password, Server);
                break;
        }

        return browser;
    }

    /// <summary>Sign-in as a person does it: the app sends them to the provider's form, they fill it in, and come back.</summary>
    public static async Task<JsonObject> SignInAsync(SignInBrowser browser, string email, string password, ServerProcess server)
    {
        var (formPage, formUrl) = await browser.NavigateAsync(HttpMethod.Get, "/account/signin?returnUrl=%2Faccount%2Fme");
        var html = await formPage.Content.ReadAsStringAsync();
        Assert.True(formPage.StatusCode == HttpStatusCode.OK, $"no sign-in form:\n{string.Join("\n", browser.History)}\n{html}\n{server.Log}");
        Assert.StartsWith("/dev-identity/account/login", formUrl.AbsolutePath);

        var form = SignInBrowser.ReadForm(html);
        var (me, meUrl) = await browser.NavigateAsync(HttpMethod.Post, new Uri(formUrl, form.Action).PathAndQuery, form.With(("email", email), ("password", password)));
        var body = await me.Content.ReadAsStringAsync();
        Assert.True(me.StatusCode == HttpStatusCode.OK && meUrl.AbsolutePath == "/account/me",
            $"sign-in as {email} did not come back to /account/me:\n{string.Join("\n", browser.History)}\n{body}\n{server.Log}");
        return JsonNode.Parse(body)!.AsObject();
    }
}

/// <summary>
/// Who may reach what, end to end against the real server process: anonymous visitors, the agent's API key, and
/// each development user signed in through the real OpenID Connect flow (authorize → sign-in form → callback).
/// </summary>
[Collection(TestStreams.Browser)]
public sealed class AuthorisationMatrixTests(SignedInServer fixture) : IClassFixture<SignedInServer>
{
    public const string Negotiate = "/hubs/drafts/negotiate?negotiateVersion=1";

    /// <summary>(who, method, path, expected status). 302 means "sent to sign-in"; nothing is followed.</summary>
    public static TheoryData<string, string, string, int> Matrix => new()
    {
        // The review queue: any role; strangers are sent to sign in; an API key never opens it.
        { "anonymous", "GET", "/", 302 },
        { "apikey", "GET", "/", 302 },
        { "viewer", "GET", "/", 200 },
        { "supervisor", "GET", "/", 200 },
        { "admin", "GET", "/", 200 },

        // The jobs dashboard: admins only.
        { "anonymous", "GET", "/hangfire", 401 },
        { "apikey", "GET", "/hangfire", 403 },
        { "viewer", "GET", "/hangfire", 403 },
        { "supervisor", "GET", "/hangfire", 403 },
        { "admin", "GET", "/hangfire", 200 },

        // The agents' API: an API key, never a console session.
        { "anonymous", "GET", "/v0/drafts", 401 },
        { "apikey", "GET", "/v0/drafts", 200 },
        { "viewer", "GET", "/v0/drafts", 401 },
        { "supervisor", "GET", "/v0/drafts", 401 },
        { "admin", "GET", "/v0/drafts", 401 },

        // The live drafts hub: any role; a 401 (not a redirect) for anyone else.
        { "anonymous", "POST", Negotiate, 401 },
        { "apikey", "POST", Negotiate, 401 },
        { "viewer", "POST", Negotiate, 200 },
        { "supervisor", "POST", Negotiate, 200 },
        { "admin", "POST", Negotiate, 200 },

        // Who am I.
        { "anonymous", "GET", "/account/me", 302 },
        { "viewer", "GET", "/account/me", 200 },
        { "supervisor", "GET", "/account/me", 200 },
        { "admin", "GET", "/account/me", 200 },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Access(string who, string method, string path, int expected)
    {
        var browser = await fixture.BrowserAsync(who);
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (who == "apikey")
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Server.ApiKey);
        }

        var response = await browser.SendAsync(request);

        Assert.True((int)response.StatusCode == expected, $"{who} {method} {path}: expected {expected}, got {(int)response.StatusCode}\n{await response.Content.ReadAsStringAsync()}");
        if (expected == 302)
        {
            Assert.StartsWith("/account/signin?returnUrl=", response.Headers.Location!.PathAndQuery);
        }
    }

    [Theory]
    [InlineData("viewer", "Viewer")]
    [InlineData("supervisor", "Supervisor")]
    [InlineData("admin", "Admin")]
    public async Task Each_development_user_comes_back_with_their_role(string user, string role)
    {
        var browser = await fixture.BrowserAsync(user);

        var me = JsonNode.Parse(await (await browser.GetAsync("/account/me")).Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal($"{user}@example.com", me["email"]!.GetValue<string>());
        Assert.Equal([role], me["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task The_sign_in_form_has_labelled_fields_a_sign_in_button_and_an_anti_forgery_token()
    {
        using var browser = new SignInBrowser(fixture.Server.BaseUrl);

        var (page, url) = await browser.NavigateAsync(HttpMethod.Get, "/account/signin?returnUrl=%2F");
        var html = await page.Content.ReadAsStringAsync();

        Assert.StartsWith("/dev-identity/account/login", url.AbsolutePath);
        Assert.Contains("""<label for="email">Email</label>""", html);
        Assert.Contains("""<input id="email" name="email" type="email" """, html);
        Assert.Contains("""<label for="password">Password</label>""", html);
        Assert.Contains("""<input id="password" name="password" type="password" """, html);
        Assert.Contains("""<button type="submit">Sign in</button>""", html);
        Assert.Contains("__RequestVerificationToken", SignInBrowser.ReadForm(html).Fields.Keys);
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public async Task A_wrong_password_says_so_and_signs_nobody_in()
    {
        using var browser = new SignInBrowser(fixture.Server.BaseUrl);
        var (page, url) = await browser.NavigateAsync(HttpMethod.Get, "/account/signin?returnUrl=%2F");
        var form = SignInBrowser.ReadForm(await page.Content.ReadAsStringAsync());

        var (answer, answerUrl) = await browser.NavigateAsync(HttpMethod.Post, new Uri(url, form.Action).PathAndQuery, form.With(("email", "admin@example.com"), ("password", "not-the-password")));
        var html = await answer.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("/dev-identity/account/login", answerUrl.AbsolutePath);
        Assert.Contains("Wrong email or password", html);
        Assert.Contains("""value="admin@example.com" """.Trim(), html);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/account/me")).StatusCode);
    }

    [Fact]
    public async Task The_sign_in_form_refuses_a_post_without_its_anti_forgery_token()
    {
        using var browser = new SignInBrowser(fixture.Server.BaseUrl);
        var (page, url) = await browser.NavigateAsync(HttpMethod.Get, "/account/signin?returnUrl=%2F");
        var form = SignInBrowser.ReadForm(await page.Content.ReadAsStringAsync());
        form.Fields.Remove("__RequestVerificationToken");

        var (answer, _) = await browser.NavigateAsync(HttpMethod.Post, new Uri(url, form.Action).PathAndQuery, form.With(("email", "admin@example.com"), ("password", SignedInServer.Password)));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/account/me")).StatusCode);
    }

    [Fact]
    public async Task A_return_address_with_non_ascii_characters_comes_back_percent_encoded_after_sign_in()
    {
        using var browser = new SignInBrowser(fixture.Server.BaseUrl);
        var (page, url) = await browser.NavigateAsync(HttpMethod.Get, "/account/signin?returnUrl=%2F%C3%A9t%C3%A9");
        var form = SignInBrowser.ReadForm(await page.Content.ReadAsStringAsync());

        var (landing, landingUrl) = await browser.NavigateAsync(HttpMethod.Post, new Uri(url, form.Action).PathAndQuery, form.With(("email", "viewer@example.com"), ("password", SignedInServer.Password)));

        Assert.True((int)landing.StatusCode < 500 && landingUrl.AbsolutePath == "/%C3%A9t%C3%A9",
            $"{(int)landing.StatusCode} at {landingUrl}:\n{string.Join("\n", browser.History)}\n{fixture.Server.Log}");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/me")).StatusCode);
        var again = await browser.GetAsync("/account/signin?returnUrl=%2F%C3%A9t%C3%A9");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal("/%C3%A9t%C3%A9", again.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("127.0.0.1", 0, 302)]
    [InlineData("127.0.0.1", 1, 400)]
    [InlineData("localhost", 0, 400)]
    [InlineData("127.0.0.2", 0, 400)]
    public async Task The_provider_sends_a_sign_in_only_to_the_servers_own_callback(string host, int portOffset, int expected)
    {
        using var browser = new SignInBrowser(fixture.Server.BaseUrl);
        var redirectUri = $"http://{host}:{fixture.Server.Port + portOffset}/signin-oidc";

        var response = await browser.GetAsync("/dev-identity/connect/authorize?client_id=agentmail-review-dev&response_type=code&scope=openid"
            + $"&redirect_uri={Uri.EscapeDataString(redirectUri)}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=s&nonce=n");

        Assert.True((int)response.StatusCode == expected, $"{redirectUri}: expected {expected}, got {(int)response.StatusCode} {response.Headers.Location}");
        if (expected == 302)
        {
            Assert.StartsWith("/dev-identity/account/login", response.Headers.Location!.OriginalString);
        }
    }

    [Fact]
    public async Task Signing_out_ends_the_session_at_the_app_and_at_the_provider()
    {
        using var browser = new SignInBrowser(fixture.Server.BaseUrl);
        await SignedInServer.SignInAsync(browser, "admin@example.com", SignedInServer.Password, fixture.Server);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/hangfire")).StatusCode);

        var signOutPage = await browser.GetAsync("/account/signout");
        var form = SignInBrowser.ReadForm(await signOutPage.Content.ReadAsStringAsync());
        var (done, doneUrl) = await browser.NavigateAsync(HttpMethod.Post, form.Action, form.With());

        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("/account/signed-out", doneUrl.AbsolutePath);
        Assert.Contains(browser.History, hop => hop.StartsWith("GET /dev-identity/connect/endsession", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/account/me")).StatusCode);

        // The provider forgot them too: signing in again asks for the password.
        var (again, againUrl) = await browser.NavigateAsync(HttpMethod.Get, "/account/signin?returnUrl=%2F");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.StartsWith("/dev-identity/account/login", againUrl.AbsolutePath);
    }
}
