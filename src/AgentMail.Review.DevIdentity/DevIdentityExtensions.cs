using System.Security.Cryptography;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AgentMail.Review.DevIdentity;

public static class DevIdentityExtensions
{
    /// <summary>The provider's own cookie: who is signed in at the provider, sent only under its path.</summary>
    public const string CookieScheme = "DevIdentity";

    /// <summary>
    /// Registers the development OpenID Connect provider (OpenIddict, authorization code + PKCE). It holds three fixed
    /// accounts behind one well-known password, so it refuses to exist anywhere but Development.
    /// </summary>
    public static IServiceCollection AddDevIdentity(this IServiceCollection services, IHostEnvironment environment, Action<DevIdentityOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"The development sign-in provider only runs in the Development environment (this is \"{environment.EnvironmentName}\"). "
                + "Configure Authentication:Oidc:Authority to use a real OpenID Connect provider.");
        }

        services.AddOptions<DevIdentityOptions>().Configure(o => configure?.Invoke(o));
        services.AddSingleton<DevIdentityDatabase>();
        services.AddDbContext<DevIdentityDbContext>((provider, options) => options
            .UseSqlite(provider.GetRequiredService<DevIdentityDatabase>().ConnectionString)
            .UseOpenIddict());
        services.AddSingleton<DevIdentitySeeder>();
        services.AddHostedService(provider => provider.GetRequiredService<DevIdentitySeeder>());
        services.AddHealthChecks().AddCheck<DevIdentitySeeder>("development-sign-in");
        services.AddAntiforgery();

        services.AddAuthentication().AddCookie(CookieScheme, cookie =>
        {
            cookie.Cookie.Name = ".AgentMailReview.DevIdentity";
            cookie.Cookie.Path = DevIdentityOptions.PathPrefix;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
        });

        services.AddOpenIddict()
            .AddCore(core =>
            {
                core.UseEntityFrameworkCore().UseDbContext<DevIdentityDbContext>();
                core.ReplaceApplicationManager(typeof(LoopbackApplicationManager<>));
            })
            .AddServer(server =>
            {
                // Relative to the provider's base, {app}/dev-identity/ (see UnderPathPrefix).
                server.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetEndSessionEndpointUris("connect/endsession");
                server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                server.RegisterScopes("openid", "profile", "email", "roles");
                // Keys live as long as the process; so do the app's sessions' need for them (the app's cookie holds
                // the user, not the provider's tokens). An ECDSA signing key and a symmetric encryption key take
                // microseconds to make, where the RSA keys of AddEphemeral*Key took seconds of the first request.
                server.AddEncryptionKey(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)))
                    .AddSigningKey(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)));
                server.DisableAccessTokenEncryption();
                server.AddEventHandler<ProcessRequestContext>(handler => handler
                    .UseInlineHandler(UnderPathPrefix)
                    .SetOrder(OpenIddictServerAspNetCoreHandlers.ResolveRequestUri.Descriptor.Order + 1));
                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    // Development on http://localhost; the provider answers loopback callers only.
                    .DisableTransportSecurityRequirement();
            });

        services.AddSingleton<DevIdentityMarker>();
        return services;
    }

    /// <summary>The provider's pages: authorize (passthrough), the sign-in form, and end-session.</summary>
    public static IEndpointRouteBuilder MapDevIdentity(this IEndpointRouteBuilder routes)
    {
        if (routes.ServiceProvider.GetService<DevIdentityMarker>() is null)
        {
            throw new InvalidOperationException("MapDevIdentity needs AddDevIdentity, which only registers in Development.");
        }

        DevIdentityEndpoints.Map(routes);
        return routes;
    }

    public static bool IsDevIdentityRegistered(this IServiceProvider services) => services.GetService<DevIdentityMarker>() is not null;

    /// <summary>
    /// OpenIddict takes its issuer and endpoint addresses from the request's base URI. Moving that base to
    /// <c>/dev-identity/</c> makes the issuer <c>{app}/dev-identity/</c> and keeps every OpenIddict endpoint (discovery
    /// included) under the prefix; requests elsewhere in the app are not the provider's business.
    /// </summary>
    private static ValueTask UnderPathPrefix(ProcessRequestContext context)
    {
        var request = context.Transaction.GetHttpRequest();
        if (request is null)
        {
            return ValueTask.CompletedTask;
        }

        if (!request.Path.StartsWithSegments(DevIdentityOptions.PathPrefix) || !DevIdentityEndpoints.IsLoopbackCaller(request.HttpContext))
        {
            context.SkipRequest();
            return ValueTask.CompletedTask;
        }

        var root = context.BaseUri!.AbsoluteUri;
        context.BaseUri = new Uri(new Uri(root.EndsWith('/') ? root : root + "/"), DevIdentityOptions.PathPrefix.TrimStart('/') + "/");
        return ValueTask.CompletedTask;
    }

    private sealed class DevIdentityMarker;
}
