using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;

namespace AgentMail.Review.DevIdentity;

/// <summary>
/// The app runs on whatever loopback port <c>--urls</c> gives it, so its registered callback
/// (<c>http://localhost/signin-oidc</c>) stands for the same path on any loopback host and port, as RFC 8252 allows
/// for loopback redirects. Anything that is not loopback must match exactly, as usual.
/// </summary>
public sealed class LoopbackApplicationManager<TApplication>(
    IOpenIddictApplicationCache<TApplication> cache,
    ILogger<OpenIddictApplicationManager<TApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<TApplication> store)
    : OpenIddictApplicationManager<TApplication>(cache, logger, options, store)
    where TApplication : class
{
    public override async ValueTask<bool> ValidateRedirectUriAsync(TApplication application, string uri, CancellationToken cancellationToken = default) =>
        SameLoopbackCallback(await GetRedirectUrisAsync(application, cancellationToken), uri)
        || await base.ValidateRedirectUriAsync(application, uri, cancellationToken);

    public override async ValueTask<bool> ValidatePostLogoutRedirectUriAsync(TApplication application, string uri, CancellationToken cancellationToken = default) =>
        SameLoopbackCallback(await GetPostLogoutRedirectUrisAsync(application, cancellationToken), uri)
        || await base.ValidatePostLogoutRedirectUriAsync(application, uri, cancellationToken);

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

    internal static bool SameLoopbackCallback(IEnumerable<string> registered, string candidate)
    {
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var asked) || !IsLoopback(asked) || asked.UserInfo.Length > 0 || asked.Fragment.Length > 0)
        {
            return false;
        }

        return registered
            .Select(r => Uri.TryCreate(r, UriKind.Absolute, out var uri) ? uri : null)
            .Any(r => r is not null && IsLoopback(r) && r.AbsolutePath == asked.AbsolutePath && r.Query == asked.Query);
    }

    private static bool IsLoopback(Uri uri) =>
        (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));
}
