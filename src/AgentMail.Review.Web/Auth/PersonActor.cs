using System.Net;
using System.Security.Claims;
using AgentMail.Review.Core.Common;

namespace AgentMail.Review.Web.Auth;

/// <summary>
/// The audit trail's record of a signed-in person: who (the provider's subject and email) and from where (the remote
/// address). In a Blazor circuit there is an HttpContext only for the first request, so take the address then.
/// </summary>
public static class PersonActor
{
    public static Actor From(ClaimsPrincipal user, HttpContext context) => From(user, context.Connection.RemoteIpAddress);

    public static Actor From(ClaimsPrincipal user, IPAddress? address) => From(user, Format(address));

    public static Actor From(ClaimsPrincipal user, string? address)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            throw new InvalidOperationException("only a signed-in person can act in the console");
        }

        var subject = user.FindFirstValue(SignInClaims.Subject) ?? user.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("the signed-in person has no subject claim");
        var email = user.FindFirstValue(SignInClaims.Email) ?? user.FindFirstValue(ClaimTypes.Email) ?? user.Identity.Name ?? subject;
        return Actor.Person(subject, email, address);
    }

    /// <summary>IPv4 callers on a dual-stack socket show as ::ffff:a.b.c.d; the audit trail says a.b.c.d.</summary>
    public static string? Format(IPAddress? address) =>
        address is null ? null : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
