using System.Net;
using System.Security.Claims;
using AgentMail.Review.DevIdentity;
using AgentMail.Review.Web.Auth;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AgentMail.Review.Web.Tests.Auth;

/// <summary>What anonymous visitors and API keys get from the console side; signed-in roles are in the E2E matrix.</summary>
public sealed class ConsoleAccessTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    private HttpClient Browser(string? apiKey = null)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/sent")]
    [InlineData("/account/me")]
    public async Task An_anonymous_page_load_is_sent_to_sign_in_and_back(string page)
    {
        var response = await Browser().GetAsync(page);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/account/signin?returnUrl={Uri.EscapeDataString(page)}", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task An_api_key_never_opens_the_console()
    {
        var response = await Browser(ReviewApiFactory.DevKey).GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/signin", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Scripts_and_hubs_get_401_rather_than_a_redirect()
    {
        var negotiate = await Browser().PostAsync("/hubs/drafts/negotiate?negotiateVersion=1", null);
        var fetch = new HttpRequestMessage(HttpMethod.Get, "/account/me");
        fetch.Headers.Add("X-Requested-With", "XMLHttpRequest");

        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Browser().SendAsync(fetch)).StatusCode);
    }

    [Fact]
    public async Task The_api_answers_401_json_to_anything_but_an_api_key()
    {
        var response = await Browser().GetAsync("/v0/drafts");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Console_pages_forbid_inline_script_and_framing()
    {
        var response = await Browser().GetAsync("/account/signed-out");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("script-src 'self';", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task Every_source_in_the_console_policy_is_one_browsers_accept()
    {
        var response = await Browser().GetAsync("/account/signed-out");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();

        // A browser ignores a source it cannot parse, and says so in the console on every page; host sources cannot
        // name IPv6 literals.
        var sources = csp.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).SelectMany(d => d.Split(' ').Skip(1));
        Assert.All(sources, source => Assert.Matches(@"^('[a-z-]+'|[a-z]+:|(https?|wss?)://[a-z0-9.*-]+(:(\d+|\*))?)$", source));
    }

    [Fact]
    public async Task Api_responses_carry_no_active_content_policy_and_nosniff()
    {
        var response = await Browser(ReviewApiFactory.DevKey).GetAsync("/v0/drafts");

        Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Sign_out_without_the_anti_forgery_token_is_refused()
    {
        var response = await Browser().PostAsync("/account/signout", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("/sent", "/sent")]
    [InlineData("/?inbox=a%40b", "/?inbox=a%40b")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("", "/")]
    [InlineData(null, "/")]
    [InlineData("/a\u2028b", "/")]
    public void Sign_in_only_returns_to_local_pages(string? returnUrl, string expected) =>
        Assert.Equal(expected, AccountEndpoints.LocalOrHome(returnUrl));

    [Theory]
    [InlineData("/été", "/%C3%A9t%C3%A9")]
    [InlineData("/sent?inbox=日本@example.com", "/sent?inbox=%E6%97%A5%E6%9C%AC@example.com")]
    [InlineData("/\U0001F600", "/%F0%9F%98%80")]
    [InlineData("/\uFF0F\uFF0Fevil.example", "/%EF%BC%8F%EF%BC%8Fevil.example")]
    public void A_return_address_with_other_than_ascii_characters_stays_local_and_becomes_ascii(string returnUrl, string expected) =>
        Assert.Equal(expected, AccountEndpoints.LocalOrHome(returnUrl));

    public static TheoryData<string, string, bool> OwnCallbacks => new()
    {
        // A server started on a port of its own, as the tests and the benchmark start it.
        { "http://127.0.0.1:43123", "http://127.0.0.1:43123/signin-oidc", true },
        { "http://127.0.0.1:43123", "http://127.0.0.1:43124/signin-oidc", false },
        { "http://127.0.0.1:43123", "http://localhost:43123/signin-oidc", false },
        { "http://127.0.0.1:43123", "http://127.0.0.2:43123/signin-oidc", false },
        { "http://127.0.0.1:43123", "http://[::1]:43123/signin-oidc", false },
        { "http://127.0.0.1:43123", "https://127.0.0.1:43123/signin-oidc", false },
        { "http://127.0.0.1:43123", "http://127.0.0.1:43123/other", false },
        { "http://127.0.0.1:43123", "http://user@127.0.0.1:43123/signin-oidc", false },
        { "http://127.0.0.1:43123", "http://evil.example:43123/signin-oidc", false },
        // The default: localhost, which Kestrel binds on both loopback addresses.
        { "http://localhost:5080", "http://localhost:5080/signin-oidc", true },
        { "http://localhost:5080", "http://127.0.0.1:5080/signin-oidc", true },
        { "http://localhost:5080", "http://[::1]:5080/signin-oidc", true },
        { "http://localhost:5080", "http://localhost:5081/signin-oidc", false },
        { "http://localhost:5080", "http://127.0.0.2:5080/signin-oidc", false },
        { "http://localhost:5080", "http://localhost.evil.example:5080/signin-oidc", false },
        { "http://localhost:5080,https://localhost:7001", "https://localhost:7001/signin-oidc", true },
        { "http://[::]:5080", "http://localhost:5080/signin-oidc", true },
        { "http://0.0.0.0:5080", "http://evil.example:5080/signin-oidc", false },
        // No socket at all (the in-memory test server): the registered address as it is.
        { "", "http://localhost/signin-oidc", true },
        { "", "http://localhost:5080/signin-oidc", false },
    };

    [Theory]
    [MemberData(nameof(OwnCallbacks))]
    public void The_development_provider_sends_sign_ins_only_to_the_apps_own_callback(string listening, string redirectUri, bool accepted) =>
        Assert.Equal(accepted, LoopbackApplicationManager<object>.IsOwnCallback(
            ["http://localhost/signin-oidc"], listening.Split(',', StringSplitOptions.RemoveEmptyEntries), redirectUri));

    [Theory]
    [InlineData("http://localhost/signin-oidc", HttpStatusCode.Redirect)]
    [InlineData("http://localhost:5999/signin-oidc", HttpStatusCode.BadRequest)]
    [InlineData("http://127.0.0.1/signin-oidc", HttpStatusCode.BadRequest)]
    public async Task The_development_provider_refuses_an_authorize_request_for_another_callback(string redirectUri, HttpStatusCode expected)
    {
        var query = QueryString.Create(new Dictionary<string, string?>
        {
            ["client_id"] = OidcOptions.DevelopmentClientId,
            ["redirect_uri"] = redirectUri,
            ["response_type"] = "code",
            ["scope"] = "openid",
            ["code_challenge"] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ["code_challenge_method"] = "S256",
            ["state"] = "state",
            ["nonce"] = "nonce",
        });

        var response = await Browser().GetAsync($"/dev-identity/connect/authorize{query}");

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Redirect)
        {
            Assert.StartsWith("/dev-identity/account/login", response.Headers.Location!.OriginalString);
        }
    }

    [Fact]
    public void Roles_pass_through_by_name_when_no_role_map_is_set()
    {
        var oidc = new OidcOptions();

        Assert.Equal(["Supervisor"], oidc.RolesFor(["supervisor", "Owners"]));
    }

    [Fact]
    public void A_person_actor_records_subject_email_and_address()
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "dev-admin"), new Claim("email", "admin@example.com")], "Cookies"));

        var actor = PersonActor.From(user, System.Net.IPAddress.Parse("::ffff:192.0.2.7"));

        Assert.Equal(Core.Common.ActorKind.Person, actor.Kind);
        Assert.Equal("dev-admin", actor.Id);
        Assert.Equal("admin@example.com", actor.DisplayName);
        Assert.Equal("192.0.2.7", actor.Address);
        Assert.Throws<InvalidOperationException>(() => PersonActor.From(new ClaimsPrincipal(new ClaimsIdentity()), "127.0.0.1"));
    }
}
