using System.Security.Claims;
using AgentMail.Review.Core.Common;
using Microsoft.AspNetCore.Components.Authorization;

namespace AgentMail.Review.Web.Console;

/// <summary>The signed-in person behind a console circuit, as the audit trail records them.</summary>
public sealed class ConsoleUser(AuthenticationStateProvider authentication)
{
    /// <summary>Set from the first HTTP request of the circuit (the page load).</summary>
    public string? RemoteAddress { get; set; }

    public async Task<Actor> ActorAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        var subject = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub") ?? user.Identity?.Name ?? "unknown";
        var email = user.FindFirstValue(ClaimTypes.Email) ?? user.FindFirstValue("email") ?? user.Identity?.Name ?? subject;
        return Actor.Person(subject, email, RemoteAddress);
    }
}
