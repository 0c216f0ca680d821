using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;

namespace AgentMail.Review.DevIdentity;

/// <summary>
/// The provider's one client is the app it runs in, and the app listens wherever <c>--urls</c> puts it (the tests and
/// the benchmark pick a free port each run), so the registered callback (<c>http://localhost/signin-oidc</c>) names
/// only the path. The origin a code may be sent to is the app's own: one this very server is listening on, read from
/// the server at the moment of the request (the port is only known once it listens). Any other host or port is
/// refused, loopback or not: another program on this machine may listen on 127.0.0.1:other-port, or on 127.0.0.2
/// at the app's port, and must never receive a sign-in. Without a listening socket (the in-memory test server) the
/// registered URIs count exactly as registered.
/// </summary>
public sealed class LoopbackApplicationManager<TApplication>(
    IOpenIddictApplicationCache<TApplication> cache,
    ILogger<OpenIddictApplicationManager<TApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<TApplication> store,
    IServer server,
    IOptions<DevIdentityOptions> settings)
    : OpenIddictApplicationManager<TApplication>(cache, logger, options, store)
    where TApplication : class
{
    public override async ValueTask<bool> ValidateRedirectUriAsync(TApplication application, string uri, CancellationToken cancellationToken = default) =>
        IsOwnCallback(await GetRedirectUrisAsync(application, cancellationToken), ListeningAddresses(), uri);

    public override async ValueTask<bool> ValidatePostLogoutRedirectUriAsync(TApplication application, string uri, CancellationToken cancellationToken = default) =>
        IsOwnCallback(await GetPostLogoutRedirectUrisAsync(application, cancellationToken), ListeningAddresses(), uri);

    public override async IAsyncEnumerable<TApplication> FindByPostLogoutRedirectUriAsync(string uri, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var application in ListAsync(count: null, offset: null, cancellationToken))
        {
            if (await ValidatePostLogoutRedirectUriAsync(application, uri, cancellationToken))
            {
                yield return application;
            }
        }
    }

    public override async IAsyncEnumerable<TApplication> FindByRedirectUriAsync(string uri, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var application in ListAsync(count: null, offset: null, cancellationToken))
        {
            if (await ValidateRedirectUriAsync(application, uri, cancellationToken))
            {
                yield return application;
            }
        }
    }

    /// <summary>Where the server listens, and the origins of a proxy in front of it (<see cref="DevIdentityOptions.ProxyOrigins"/>).</summary>
    private IReadOnlyCollection<string> ListeningAddresses() =>
        [.. server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [], .. settings.Value.ProxyOrigins];

    /// <summary>
    /// True when <paramref name="candidate"/> is a registered callback's path and query on an origin in
    /// <paramref name="listening"/> (the server's addresses as Kestrel reports them, e.g. <c>http://127.0.0.1:5080</c>).
    /// A <c>localhost</c> or wildcard binding stands for the loopback names Kestrel binds for it: localhost, 127.0.0.1
    /// and [::1]. With nothing listening, the registered URIs are the only origins.
    /// </summary>
    internal static bool IsOwnCallback(IEnumerable<string> registered, IReadOnlyCollection<string> listening, string candidate)
    {
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var asked) || !IsHttp(asked) || asked.UserInfo.Length > 0 || asked.Fragment.Length > 0)
        {
            return false;
        }

        var callbacks = registered.Select(r => Uri.TryCreate(r, UriKind.Absolute, out var uri) ? uri : null).OfType<Uri>().ToList();
        if (!callbacks.Any(r => r.AbsolutePath == asked.AbsolutePath && r.Query == asked.Query))
        {
            return false;
        }

        if (listening.Count == 0)
        {
            return callbacks.Any(r => Uri.Compare(r, asked, UriComponents.AbsoluteUri, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0);
        }

        return listening.Any(address => ServesOrigin(address, asked));
    }

    private static bool ServesOrigin(string address, Uri asked)
    {
        BindingAddress binding;
        try
        {
            binding = BindingAddress.Parse(address);
        }
        catch (FormatException)
        {
            return false;
        }

        if (binding.IsNamedPipe || binding.IsUnixPipe
            || !string.Equals(binding.Scheme, asked.Scheme, StringComparison.OrdinalIgnoreCase)
            || binding.Port != asked.Port)
        {
            return false;
        }

        var host = binding.Host.Trim('[', ']');
        var wildcard = host is "localhost" or "+" or "*" || (IPAddress.TryParse(host, out var any) && (any.Equals(IPAddress.Any) || any.Equals(IPAddress.IPv6Any)));
        return wildcard
            ? IsLoopbackName(asked.Host)
            : SameHost(host, asked.Host);
    }

    private static bool IsLoopbackName(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || SameHost("127.0.0.1", host) || SameHost("::1", host);

    private static bool SameHost(string bound, string asked)
    {
        asked = asked.Trim('[', ']');
        return IPAddress.TryParse(bound, out var boundAddress) && IPAddress.TryParse(asked, out var askedAddress)
            ? boundAddress.Equals(askedAddress)
            : string.Equals(bound, asked, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsHttp(Uri uri) => uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps;
}
