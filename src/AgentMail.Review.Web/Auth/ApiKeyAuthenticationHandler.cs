using System.Security.Claims;
using System.Text.Encodings.Web;
using AgentMail.Review.Core.ApiKeys;
using AgentMail.Review.Web.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Web.Auth;

/// <summary>Agents authenticate with <c>Authorization: Bearer &lt;key&gt;</c>, as with AgentMail.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyService keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("the Authorization header must be \"Bearer <API key>\"");
        }

        var key = await keys.AuthenticateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (key is null)
        {
            return AuthenticateResult.Fail("the API key is not valid or has been revoked");
        }

        var claims = new List<Claim>
        {
            new(ReviewClaims.ApiKeyId, key.ApiKeyId),
            new(ClaimTypes.Name, key.Name),
            new(ReviewClaims.CanSend, key.CanSend ? "true" : "false"),
        };
        claims.AddRange(key.InboxIds.Select(inbox => new Claim(ReviewClaims.Inbox, inbox)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Response.WriteAsJsonAsync(new ApiError("UnauthorizedError", failure ?? "an API key is required: send \"Authorization: Bearer <API key>\""));
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Response.WriteAsJsonAsync(new ApiError("ForbiddenError", "this API key may not do that"));
    }
}
