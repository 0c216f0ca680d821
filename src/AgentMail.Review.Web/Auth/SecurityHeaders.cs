using System.Text.RegularExpressions;
using AgentMail.Review.DevIdentity;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Web.Auth;

/// <summary>
/// Response headers that keep the console's pages from being framed, sniffed or made to run injected script. The
/// console is Blazor Server with MudBlazor: scripts come only from this origin (blazor.web.js and the app's files),
/// the circuit talks over this origin's WebSocket, and MudBlazor needs inline styles.
/// </summary>
public static partial class SecurityHeaders
{
    public static IApplicationBuilder UseReviewSecurityHeaders(this WebApplication app)
    {
        var development = app.Environment.IsDevelopment();
        var oidc = app.Services.GetRequiredService<IOptions<OidcOptions>>();
        var devAuthority = app.Services.GetRequiredService<DevelopmentAuthority>();
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                Apply(context, development, ProviderOrigin(oidc.Value, devAuthority));
                return Task.CompletedTask;
            });
            return next(context);
        });
    }

    private static void Apply(HttpContext context, bool development, string? providerOrigin)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        if (context.Request.IsHttps && !development)
        {
            headers.StrictTransportSecurity = "max-age=31536000";
        }

        var path = context.Request.Path;
        if (path.StartsWithSegments("/v0") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/openapi"))
        {
            // Data, never a document: nothing in it may load or run anything.
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            return;
        }

        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
        headers.ContentSecurityPolicy = ContentSecurityPolicy(context, development, providerOrigin);
        if (path.StartsWithSegments("/account") || path.StartsWithSegments(DevIdentityOptions.PathPrefix))
        {
            headers.CacheControl = "no-store";
        }
    }

    internal static string ContentSecurityPolicy(HttpContext context, bool development, string? providerOrigin)
    {
        var host = context.Request.Host.Value is { } h && SafeHost().IsMatch(h) ? h : null;
        var sockets = host is null ? "" : $" ws://{host} wss://{host}";
        // A form that starts a sign-in or sign-out is redirected to the provider and back: both must be allowed.
        var formTargets = "'self'" + (providerOrigin is null ? "" : " " + providerOrigin);
        if (development)
        {
            // The development provider may answer on another loopback name than the page (localhost vs 127.0.0.1).
            // A policy cannot name an IPv6 literal such as [::1]: browsers drop that source and say so on every page.
            formTargets += " http://localhost:* http://127.0.0.1:*";
        }

        return "default-src 'self'; "
               + "script-src 'self'; "
               + "style-src 'self' 'unsafe-inline'; "
               // Remote https images only ever load inside a draft's sandboxed frame, after the supervisor chose "Show images"
               // (the frame's own policy blocks them until then; the frame inherits this policy, so it must allow them).
               + "img-src 'self' data: https:; "
               + "font-src 'self' data:; "
               + $"connect-src 'self'{sockets}; "
               + "frame-src 'self'; "
               + "object-src 'none'; "
               + "base-uri 'self'; "
               + $"form-action {formTargets}; "
               + "frame-ancestors 'none'";
    }

    private static string? ProviderOrigin(OidcOptions oidc, DevelopmentAuthority development)
    {
        if (oidc.UsesDevelopmentProvider)
        {
            return development.Origin;
        }

        return Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority) ? authority.GetLeftPart(UriPartial.Authority) : null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")]
    private static partial Regex SafeHost();
}
