using AgentMail.Review.DevIdentity;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AgentMail.Review.Web.Auth;

/// <summary>
/// Where the built-in development provider answers: this very process, at the address the server is bound to
/// (known only once it listens; <c>--urls</c> may pick any port). The sign-in handler reaches it over loopback.
/// </summary>
public sealed class DevelopmentAuthority(IServer server)
{
    public string Issuer => AppBaseAddress() + DevIdentityOptions.PathPrefix + "/";

    public string Origin => AppBaseAddress();

    public string AppBaseAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var bound = addresses
            .Select(a => Uri.TryCreate(a.Replace("://+", "://localhost").Replace("://*", "://localhost"), UriKind.Absolute, out var uri) ? uri : null)
            .OfType<Uri>()
            .OrderBy(u => u.Scheme == Uri.UriSchemeHttp ? 0 : 1)
            .FirstOrDefault();
        if (bound is null)
        {
            // Not listening on a socket (an in-memory test server): there is no address to reach.
            return "http://localhost";
        }

        var host = bound.Host is "0.0.0.0" or "[::]" or "::" ? "localhost" : bound.Host;
        var hostPart = host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host;
        return $"{bound.Scheme}://{hostPart}:{bound.Port}";
    }
}
