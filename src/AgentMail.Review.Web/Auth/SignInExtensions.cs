using AgentMail.Review.DevIdentity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace AgentMail.Review.Web.Auth;

/// <summary>
/// People sign in with OpenID Connect (authorization code + PKCE) and stay signed in with a cookie; agents use API
/// keys. Requests with <c>Authorization: Bearer</c> are the API key scheme's, everything else the cookie's, so the
/// API never redirects and an API key never opens the console.
/// </summary>
public static partial class SignInExtensions
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string OidcScheme = OpenIdConnectDefaults.AuthenticationScheme;

    /// <summary>Picks API key or cookie per request; the default for authenticate and challenge.</summary>
    public const string SelectorScheme = "Review";

    public const string SignInPath = "/account/signin";
    public const string SignOutPath = "/account/signout";
    public const string SignedOutPath = "/account/signed-out";
    public const string AccessDeniedPath = "/account/access-denied";

    public static IServiceCollection AddReviewSignIn(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<OidcOptions>().Bind(configuration.GetSection(OidcOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OidcOptions>, OidcOptionsValidator>();
        services.AddSingleton<DevelopmentAuthority>();

        var settings = configuration.GetSection(OidcOptions.Section).Get<OidcOptions>() ?? new OidcOptions();
        if (settings.UsesDevelopmentProvider && environment.IsDevelopment())
        {
            services.AddDevIdentity(environment, provider =>
            {
                configuration.GetSection(DevIdentityOptions.Section).Bind(provider);
                provider.ClientId = string.IsNullOrWhiteSpace(settings.ClientId) ? OidcOptions.DevelopmentClientId : settings.ClientId;
                provider.ClientSecret = settings.ClientSecret;
            });
        }

        var secure = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        services.AddAuthentication()
            .AddPolicyScheme(SelectorScheme, "API key or console session", selector => selector.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieScheme)
            .AddCookie(CookieScheme, cookie =>
            {
                cookie.Cookie.Name = ".AgentMailReview.Session";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = secure;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
                cookie.SlidingExpiration = true;
                cookie.LoginPath = SignInPath;
                cookie.LogoutPath = SignOutPath;
                cookie.AccessDeniedPath = AccessDeniedPath;
                cookie.ReturnUrlParameter = "returnUrl";
                cookie.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
                cookie.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
            })
            .AddOpenIdConnect(OidcScheme, _ => { });
        services.AddSingleton<IConfigureOptions<OpenIdConnectOptions>>(provider => new ConfigureOpenIdConnect(
            provider.GetRequiredService<IOptions<OidcOptions>>(),
            provider.GetRequiredService<DevelopmentAuthority>(),
            secure,
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("AgentMail.Review.Web.Auth.SignIn")));

        // Set after AddReviewAuth's default (API key only) whatever the order of registration.
        services.PostConfigure<AuthenticationOptions>(options =>
        {
            options.DefaultScheme = SelectorScheme;
            options.DefaultChallengeScheme = SelectorScheme;
            options.DefaultForbidScheme = SelectorScheme;
            options.DefaultSignInScheme = CookieScheme;
            options.DefaultSignOutScheme = CookieScheme;
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(ReviewPolicies.Viewer, policy => ConsolePolicy(policy, ReviewRoles.Viewer, ReviewRoles.Supervisor, ReviewRoles.Admin))
            .AddPolicy(ReviewPolicies.Supervisor, policy => ConsolePolicy(policy, ReviewRoles.Supervisor, ReviewRoles.Admin))
            .AddPolicy(ReviewPolicies.Admin, policy => ConsolePolicy(policy, ReviewRoles.Admin))
            .AddPolicy(SignedInPolicy, policy => policy.AddAuthenticationSchemes(CookieScheme).RequireAuthenticatedUser());

        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = ".AgentMailReview.Antiforgery";
            antiforgery.Cookie.SecurePolicy = secure;
        });
        return services;
    }

    /// <summary>Any signed-in person, whatever their roles (the account pages).</summary>
    internal const string SignedInPolicy = "SignedIn";

    /// <summary>The account endpoints and, in Development, the built-in provider.</summary>
    public static WebApplication MapReviewSignIn(this WebApplication app)
    {
        if (app.Services.IsDevIdentityRegistered())
        {
            app.MapDevIdentity();
        }

        app.MapAccountEndpoints();
        return app;
    }

    private static void ConsolePolicy(AuthorizationPolicyBuilder policy, params string[] roles) =>
        policy.AddAuthenticationSchemes(CookieScheme).RequireAuthenticatedUser().RequireRole(roles);

    /// <summary>
    /// Browsers navigating to a page go to the sign-in (or access denied) page; scripts, hubs and anything that is
    /// not a plain page load get the status code, which they can act on.
    /// </summary>
    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var request = context.Request;
        var pageLoad = (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
                       && !request.Headers.ContainsKey("X-Requested-With")
                       && !request.Path.StartsWithSegments("/v0")
                       && !request.Path.StartsWithSegments("/hubs")
                       && !request.Path.StartsWithSegments("/_blazor");
        if (pageLoad)
        {
            context.Response.Redirect(context.RedirectUri);
        }
        else
        {
            context.Response.StatusCode = status;
        }

        return Task.CompletedTask;
    }

    private sealed partial class ConfigureOpenIdConnect(IOptions<OidcOptions> settings, DevelopmentAuthority development, CookieSecurePolicy secure, ILogger logger)
        : IConfigureNamedOptions<OpenIdConnectOptions>
    {
        public void Configure(OpenIdConnectOptions options) => Configure(Options.DefaultName, options);

        public void Configure(string? name, OpenIdConnectOptions options)
        {
            if (name != OidcScheme)
            {
                return;
            }

            var oidc = settings.Value;
            if (oidc.UsesDevelopmentProvider)
            {
                // Resolved when the handler is first used, i.e. once the server listens and its address is known.
                options.Authority = development.Issuer;
                options.RequireHttpsMetadata = false;
                options.ClientId = string.IsNullOrWhiteSpace(oidc.ClientId) ? OidcOptions.DevelopmentClientId : oidc.ClientId;
            }
            else
            {
                options.Authority = oidc.Authority;
                options.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                options.ClientId = oidc.ClientId;
            }

            options.ClientSecret = string.IsNullOrWhiteSpace(oidc.ClientSecret) ? null : oidc.ClientSecret;
            options.SignInScheme = CookieScheme;
            options.SignOutScheme = CookieScheme;
            options.ResponseType = OpenIdConnectResponseType.Code;
            // The code comes back on a top-level GET, so the correlation cookies can be SameSite=Lax.
            options.ResponseMode = OpenIdConnectResponseMode.Query;
            options.UsePkce = true;
            options.Scope.Clear();
            foreach (var scope in oidc.ScopeList)
            {
                options.Scope.Add(scope);
            }

            options.MapInboundClaims = false;
            options.GetClaimsFromUserInfoEndpoint = false;
            options.SaveTokens = true;
            options.TokenValidationParameters.NameClaimType = SignInClaims.Name;
            options.TokenValidationParameters.RoleClaimType = oidc.RoleClaim;
            options.AccessDeniedPath = AccessDeniedPath;
            foreach (var cookie in new[] { options.CorrelationCookie, options.NonceCookie })
            {
                cookie.SameSite = SameSiteMode.Lax;
                cookie.SecurePolicy = secure;
            }

            options.Events.OnTicketReceived = context =>
            {
                context.Principal = SignInClaims.ToConsolePrincipal(context.Principal!, oidc, CookieScheme);
                // Only the id_token is needed later (as the hint when signing out); the rest would only grow the cookie.
                var idToken = context.Properties?.GetTokenValue("id_token");
                context.Properties?.StoreTokens(idToken is null ? [] : [new AuthenticationToken { Name = "id_token", Value = idToken }]);
                LogSignedIn(logger, context.Principal.FindFirst(SignInClaims.Email)?.Value ?? "?", string.Join(",", context.Principal.FindAll(SignInClaims.Role).Select(c => c.Value)));
                return Task.CompletedTask;
            };
            options.Events.OnRemoteFailure = context =>
            {
                LogSignInFailed(logger, context.Failure);
                context.Response.Redirect($"{context.Request.PathBase}{AccessDeniedPath}?reason=signin-failed");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "{Email} signed in with roles {Roles}")]
        private static partial void LogSignedIn(ILogger logger, string email, string roles);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in with the OpenID Connect provider failed")]
        private static partial void LogSignInFailed(ILogger logger, Exception? failure);
    }
}
