using AgentMail.Review.Core.Common;
using AgentMail.Review.Web.Auth;
using Microsoft.AspNetCore.Components.Authorization;

namespace AgentMail.Review.Web.Console;

/// <summary>The signed-in person behind a console circuit, as the audit trail records them.</summary>
public sealed class ConsoleUser(AuthenticationStateProvider authentication)
{
    /// <summary>Where the person is, taken from the page request that started the circuit.</summary>
    public string? RemoteAddress { get; set; }

    public async Task<Actor> ActorAsync() => PersonActor.From((await authentication.GetAuthenticationStateAsync()).User, RemoteAddress);
}
