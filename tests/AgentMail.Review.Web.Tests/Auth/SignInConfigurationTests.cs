using System.Net;
using AgentMail.Review.DevIdentity;
using AgentMail.Review.Web.Auth;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Web.Tests.Auth;

/// <summary>Production without an Authority: nothing to sign in with, so the server must not start.</summary>
public sealed class ProductionWithoutAuthorityFactory : ReviewApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}

/// <summary>Production with a provider configured (never contacted by these tests).</summary>
public sealed class ProductionFactory : ReviewApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Authentication:Oidc:Authority"] = "https://login.example.com/realms/review",
        ["Authentication:Oidc:ClientId"] = "agentmail-review",
        ["Authentication:Oidc:RoleClaim"] = "groups",
        ["Authentication:Oidc:RoleMap:review-admins"] = "Admin",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}

public sealed class ProductionStartTests
{
    [Fact]
    public void Production_without_an_authority_stops_start_up_naming_the_key()
    {
        using var factory = new ProductionWithoutAuthorityFactory();

        var error = Record.Exception(() => factory.CreateClient());

        Assert.NotNull(error);
        Assert.Contains("Authentication:Oidc:Authority", Messages(error));
        Assert.False(File.Exists(factory.DatabasePath), "the store was made before the settings were checked");
    }

    [Fact]
    public void The_development_provider_refuses_to_register_outside_development()
    {
        foreach (var environment in new[] { "Production", "Staging", "development-ish" })
        {
            var services = new ServiceCollection();

            var error = Assert.Throws<InvalidOperationException>(() => services.AddDevIdentity(new Environment(environment)));

            Assert.Contains("only runs in the Development environment", error.Message);
            Assert.Empty(services);
        }
    }

    private static string Messages(Exception error)
    {
        var all = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            all.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                all.AddRange(aggregate.InnerExceptions.Select(Messages));
            }
        }

        return string.Join("\n", all);
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}

public sealed class ProductionSignInTests(ProductionFactory factory) : IClassFixture<ProductionFactory>
{
    [Fact]
    public async Task The_development_provider_does_not_exist_in_production()
    {
        var client = factory.CreateClient();

        Assert.False(factory.Services.IsDevIdentityRegistered());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/dev-identity/.well-known/openid-configuration")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/dev-identity/account/login")).StatusCode);
    }

    [Fact]
    public void Session_cookies_are_secure_http_only_and_same_site_lax_outside_development()
    {
        var cookie = factory.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(SignInExtensions.CookieScheme).Cookie;

        Assert.Equal(CookieSecurePolicy.Always, cookie.SecurePolicy);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteMode.Lax, cookie.SameSite);
    }

    [Fact]
    public async Task The_anti_forgery_cookie_of_the_sign_out_form_is_secure()
    {
        // Outside Development the site is served over TLS (directly or via ASPNETCORE_FORWARDEDHEADERS_ENABLED behind a proxy).
        var https = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), HandleCookies = false });

        var response = await https.GetAsync("/account/signout");

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AgentMailReview.Antiforgery", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Provider_groups_map_to_roles_through_the_role_map_only()
    {
        var oidc = factory.Services.GetRequiredService<IOptions<OidcOptions>>().Value;

        Assert.Equal(["Admin"], oidc.RolesFor(["review-admins", "Supervisor", "everyone"]));
    }
}
