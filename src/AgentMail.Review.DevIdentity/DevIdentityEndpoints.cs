using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AgentMail.Review.DevIdentity;

internal static class DevIdentityEndpoints
{
    private const string LoginPath = DevIdentityOptions.PathPrefix + "/account/login";
    private const string AuthorizePath = DevIdentityOptions.PathPrefix + "/connect/authorize";

    public static void Map(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(DevIdentityOptions.PathPrefix)
            .AllowAnonymous()
            .ExcludeFromDescription()
            .AddEndpointFilter(async (context, next) =>
                IsLoopbackCaller(context.HttpContext) ? await next(context) : Results.NotFound());

        group.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], (Delegate)AuthorizeAsync);
        group.MapGet("/account/login", LoginForm);
        group.MapPost("/account/login", SignInAsync);
        group.MapMethods("/connect/endsession", [HttpMethods.Get, HttpMethods.Post], (Delegate)EndSessionAsync);
    }

    /// <summary>Development accounts share one password: only callers on this machine may use them.</summary>
    public static bool IsLoopbackCaller(HttpContext context) =>
        context.Connection.RemoteIpAddress is not { } address || IPAddress.IsLoopback(address);

    private static async Task<IResult> AuthorizeAsync(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request was not handled by OpenIddict.");

        var session = await http.AuthenticateAsync(DevIdentityExtensions.CookieScheme);
        var user = session.Succeeded ? DevUsers.BySubject(session.Principal?.FindFirstValue(Claims.Subject)) : null;
        if (user is null)
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Forbid(Errors.LoginRequired, "Nobody is signed in at the development provider.");
            }

            var authorizeUrl = http.Request.PathBase + AuthorizePath + QueryOf(http.Request);
            return Results.Redirect(http.Request.PathBase + LoginPath + QueryString.Create("returnUrl", authorizeUrl));
        }

        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, user.Subject));
        identity.AddClaim(new Claim(Claims.Email, user.Email));
        identity.AddClaim(new Claim(Claims.EmailVerified, "true", ClaimValueTypes.Boolean));
        identity.AddClaim(new Claim(Claims.Name, user.Name));
        identity.AddClaim(new Claim(Claims.PreferredUsername, user.Email));
        identity.AddClaim(new Claim(Claims.Role, user.Role));
        identity.SetScopes(request.GetScopes());
        // Everything the app needs rides in the id_token: it has no use for an access token or userinfo.
        identity.SetDestinations(claim => claim.Type == Claims.Subject
            ? [Destinations.AccessToken, Destinations.IdentityToken]
            : [Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult LoginForm(HttpContext http, IAntiforgery antiforgery, string? returnUrl) =>
        IsAuthorizeUrl(http, returnUrl)
            ? LoginPage.Render(http, antiforgery, returnUrl!, email: null, error: null, StatusCodes.Status200OK)
            : LoginPage.Problem("This sign-in link is not valid. Start again from AgentMail Review.");

    private static async Task<IResult> SignInAsync(HttpContext http, IAntiforgery antiforgery, IOptions<DevIdentityOptions> options)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(http);
        }
        catch (AntiforgeryValidationException)
        {
            return LoginPage.Problem("The sign-in form expired. Start again from AgentMail Review.");
        }

        var form = await http.Request.ReadFormAsync();
        var returnUrl = form["returnUrl"].ToString();
        if (!IsAuthorizeUrl(http, returnUrl))
        {
            return LoginPage.Problem("This sign-in link is not valid. Start again from AgentMail Review.");
        }

        var email = form["email"].ToString().Trim();
        var user = DevUsers.ByEmail(email);
        if (user is null || !PasswordMatches(form["password"].ToString(), options.Value.Password))
        {
            return LoginPage.Render(http, antiforgery, returnUrl, email, "Wrong email or password. The development users share the password set in Authentication:DevIdentity:Password.", StatusCodes.Status200OK);
        }

        var identity = new ClaimsIdentity(
            [new Claim(Claims.Subject, user.Subject), new Claim(Claims.Email, user.Email)],
            DevIdentityExtensions.CookieScheme, Claims.Email, Claims.Role);
        await http.SignInAsync(DevIdentityExtensions.CookieScheme, new ClaimsPrincipal(identity));
        return Results.Redirect(returnUrl);
    }

    private static async Task<IResult> EndSessionAsync(HttpContext http)
    {
        await http.SignOutAsync(DevIdentityExtensions.CookieScheme);
        // OpenIddict sends the browser back to the validated post_logout_redirect_uri.
        return Results.SignOut(new AuthenticationProperties { RedirectUri = http.Request.PathBase + "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    /// <summary>Only the provider's own authorize endpoint on this host: the form is never an open redirect.</summary>
    private static bool IsAuthorizeUrl(HttpContext http, string? url) =>
        !string.IsNullOrEmpty(url)
        && url.StartsWith(http.Request.PathBase + AuthorizePath + "?", StringComparison.Ordinal)
        && !url.Contains('\\')
        && Uri.IsWellFormedUriString(url, UriKind.Relative);

    /// <summary>An authorize request's parameters as a query string, whether it came as GET or as a form POST.</summary>
    private static string QueryOf(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method) || !request.HasFormContentType)
        {
            return request.QueryString.Value ?? "";
        }

        var query = new QueryBuilder();
        foreach (var (key, values) in request.Form)
        {
            foreach (var value in values)
            {
                query.Add(key, value ?? "");
            }
        }

        return query.ToString();
    }

    private static bool PasswordMatches(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
