using System.Security.Claims;

namespace AgentMail.Review.Web.Auth;

/// <summary>
/// What the console cookie holds about a person: the provider's subject, email and name as sent (JWT claim names),
/// and their review roles as <see cref="ClaimTypes.Role"/>. The provider's raw groups are not kept.
/// </summary>
public static class SignInClaims
{
    public const string Subject = "sub";
    public const string Email = "email";
    public const string Name = "name";
    public const string SessionId = "sid";
    public const string Role = ClaimTypes.Role;

    /// <summary>Builds the console identity from a validated id_token's claims.</summary>
    public static ClaimsPrincipal ToConsolePrincipal(ClaimsPrincipal token, OidcOptions settings, string authenticationType)
    {
        var subject = token.FindFirstValue(Subject) ?? token.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("the provider's id_token has no sub claim");
        var email = token.FindFirstValue(Email) ?? token.FindFirstValue("preferred_username") ?? token.FindFirstValue("upn") ?? subject;
        var name = token.FindFirstValue(Name) ?? email;

        var claims = new List<Claim> { new(Subject, subject), new(Email, email), new(Name, name) };
        if (token.FindFirstValue(SessionId) is { } sid)
        {
            claims.Add(new Claim(SessionId, sid));
        }

        var groups = token.FindAll(settings.RoleClaim).Select(c => c.Value);
        claims.AddRange(settings.RolesFor(groups).Select(role => new Claim(Role, role)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, Name, Role));
    }
}
