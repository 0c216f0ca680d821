using System.Net;
using System.Security.Claims;
using AgentMail.Review.DevIdentity;
using AgentMail.Review.Web.Auth;
using AgentMail.Review.Web.Tests.Support;
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
    public void Sign_in_only_returns_to_local_pages(string? returnUrl, string expected) =>
        Assert.Equal(expected, AccountEndpoints.LocalOrHome(returnUrl));

    [Theory]
    [InlineData("http://localhost:5080/signin-oidc", true)]
    [InlineData("http://127.0.0.1:43123/signin-oidc", true)]
    [InlineData("http://[::1]:43123/signin-oidc", true)]
    [InlineData("https://localhost:7001/signin-oidc", true)]
    [InlineData("http://evil.example/signin-oidc", false)]
    [InlineData("http://localhost.evil.example/signin-oidc", false)]
    [InlineData("http://localhost:5080/other", false)]
    [InlineData("http://user@localhost:5080/signin-oidc", false)]
    public void The_development_provider_accepts_its_callback_on_any_loopback_port_only(string redirectUri, bool accepted) =>
        Assert.Equal(accepted, LoopbackApplicationManager<object>.SameLoopbackCallback(["http://localhost/signin-oidc"], redirectUri));

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
