using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Web.Auth;

/// <summary>Sign-in, sign-out and access denied: plain server-rendered pages, no script.</summary>
public static partial class AccountEndpoints
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder routes)
    {
        var account = routes.MapGroup("/account").ExcludeFromDescription();
        account.MapGet("/signin", SignIn).AllowAnonymous();
        account.MapGet("/signout", SignOutForm).AllowAnonymous();
        account.MapPost("/signout", (Delegate)SignOutAsync).AllowAnonymous();
        account.MapGet("/signed-out", SignedOut).AllowAnonymous();
        account.MapGet("/access-denied", AccessDenied).AllowAnonymous();
        account.MapGet("/me", Me).RequireAuthorization(SignInExtensions.SignedInPolicy);
        return routes;
    }

    /// <summary>Sends the browser to the provider; it comes back signed in, to <paramref name="returnUrl"/>.</summary>
    private static IResult SignIn(HttpContext http, string? returnUrl)
    {
        var target = LocalOrHome(returnUrl);
        if (http.User.Identity?.IsAuthenticated == true && http.User.Identity.AuthenticationType == SignInExtensions.CookieScheme)
        {
            return Results.LocalRedirect(target);
        }

        return Results.Challenge(new AuthenticationProperties { RedirectUri = target }, [SignInExtensions.OidcScheme]);
    }

    private static IResult SignOutForm(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var who = http.User.FindFirstValue(SignInClaims.Email);
        return Page("Sign out", $"""
            <h1>Sign out</h1>
            <p>{(who is null ? "You are not signed in." : $"Signed in as {Html.Encode(who)}.")}</p>
            <form method="post" action="{SignInExtensions.SignOutPath}">
              <input type="hidden" name="{Html.Encode(tokens.FormFieldName)}" value="{Html.Encode(tokens.RequestToken ?? "")}">
              <button type="submit">Sign out</button>
            </form>
            """, StatusCodes.Status200OK);
    }

    /// <summary>Ends the console session and, when the provider supports it, the provider's session too.</summary>
    private static async Task<IResult> SignOutAsync(HttpContext http, IAntiforgery antiforgery, IOptionsMonitor<OpenIdConnectOptions> oidc, ILoggerFactory loggers)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(http);
        }
        catch (AntiforgeryValidationException)
        {
            return Page("Sign out", $"""<h1>Sign out</h1><p role="alert">The sign-out form expired. <a href="{SignInExtensions.SignOutPath}">Try again</a>.</p>""", StatusCodes.Status400BadRequest);
        }

        var signedIn = http.User.Identity?.IsAuthenticated == true;
        await http.SignOutAsync(SignInExtensions.CookieScheme);
        var done = new AuthenticationProperties { RedirectUri = SignInExtensions.SignedOutPath };
        if (signedIn && await HasEndSessionEndpointAsync(oidc.Get(SignInExtensions.OidcScheme), http.RequestAborted, loggers.CreateLogger(typeof(AccountEndpoints))))
        {
            return Results.SignOut(done, [SignInExtensions.OidcScheme]);
        }

        return Results.LocalRedirect(SignInExtensions.SignedOutPath);
    }

    private static IResult SignedOut() => Page("Signed out", $"""
        <h1>Signed out</h1>
        <p>You have signed out of AgentMail Review.</p>
        <p><a href="{SignInExtensions.SignInPath}">Sign in again</a></p>
        """, StatusCodes.Status200OK);

    private static IResult AccessDenied(HttpContext http, IAntiforgery antiforgery, string? reason)
    {
        if (reason == "signin-failed")
        {
            return Page("Sign-in failed", $"""
                <h1>Sign-in did not complete</h1>
                <p role="alert">The sign-in provider did not confirm who you are. Nothing was changed.</p>
                <p><a href="{SignInExtensions.SignInPath}">Try again</a></p>
                """, StatusCodes.Status400BadRequest);
        }

        var who = http.User.FindFirstValue(SignInClaims.Email);
        var roles = http.User.FindAll(SignInClaims.Role).Select(c => c.Value).ToList();
        var tokens = antiforgery.GetAndStoreTokens(http);
        var detail = who is null
            ? "You are not signed in."
            : roles.Count == 0
                ? $"You are signed in as {Html.Encode(who)}, who has no AgentMail Review role. An admin can give you one."
                : $"You are signed in as {Html.Encode(who)} ({Html.Encode(string.Join(", ", roles))}); that role does not allow this page.";
        return Page("Access denied", $"""
            <h1>Access denied</h1>
            <p role="alert">{detail}</p>
            <p><a href="/">Go to the review queue</a></p>
            <form method="post" action="{SignInExtensions.SignOutPath}">
              <input type="hidden" name="{Html.Encode(tokens.FormFieldName)}" value="{Html.Encode(tokens.RequestToken ?? "")}">
              <button type="submit">Sign out</button>
            </form>
            """, StatusCodes.Status403Forbidden);
    }

    /// <summary>Who the console thinks you are; scripts and tests use it to check a sign-in.</summary>
    private static IResult Me(HttpContext http) => Results.Json(new
    {
        subject = http.User.FindFirstValue(SignInClaims.Subject),
        email = http.User.FindFirstValue(SignInClaims.Email),
        name = http.User.FindFirstValue(SignInClaims.Name),
        roles = http.User.FindAll(SignInClaims.Role).Select(c => c.Value).ToArray(),
    });

    /// <summary>
    /// A local path only: the sign-in link must never send anyone to another site. It ends up in a Location header,
    /// which carries ASCII only (anything else makes the server fail the response), so other characters are sent
    /// percent-encoded as UTF-8, as a browser would have sent them: <c>/été</c> comes back as <c>/%C3%A9t%C3%A9</c>.
    /// </summary>
    internal static string LocalOrHome(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl[0] != '/' || (returnUrl.Length > 1 && returnUrl[1] is '/' or '\\')
            || returnUrl.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'))
        {
            return "/";
        }

        if (returnUrl.All(char.IsAscii))
        {
            return returnUrl;
        }

        var encoded = new StringBuilder(returnUrl.Length * 3);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in returnUrl.EnumerateRunes())
        {
            if (rune.IsAscii)
            {
                encoded.Append((char)rune.Value);
                continue;
            }

            // A lone surrogate enumerates as U+FFFD, so what is encoded is always well-formed UTF-8.
            foreach (var b in utf8[..rune.EncodeToUtf8(utf8)])
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    private static async Task<bool> HasEndSessionEndpointAsync(OpenIdConnectOptions options, CancellationToken ct, ILogger logger)
    {
        try
        {
            var configuration = options.Configuration ?? (options.ConfigurationManager is { } manager ? await manager.GetConfigurationAsync(ct) : null);
            return !string.IsNullOrEmpty(configuration?.EndSessionEndpoint);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The provider cannot be reached: the console session is over all the same.
            LogProviderUnreachable(logger, e);
            return false;
        }
    }

    private static IResult Page(string title, string body, int status)
    {
        return Results.Content(
            $"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>{Html.Encode(title)} — AgentMail Review</title>
              <link rel="icon" href="/favicon.svg" type="image/svg+xml">
              <link rel="stylesheet" href="/css/review.css">
            </head>
            <body><main class="account-page">
            {body}
            </main></body>
            </html>
            """,
            "text/html; charset=utf-8",
            statusCode: status);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signed out locally; the OpenID Connect provider could not be asked to end its session")]
    private static partial void LogProviderUnreachable(ILogger logger, Exception exception);
}
