using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Webhooks;

/// <summary>
/// Where an endpoint may point: http(s) to a public address. Checked when the URL is registered and again at every
/// connection (the address a name resolves to can change after it was checked).
/// </summary>
public sealed class WebhookUrlPolicy(IOptions<WebhookOptions> options)
{
    public bool AllowsPrivateNetworks => options.Value.AllowPrivateNetworks;

    /// <summary>Why <paramref name="url"/> cannot be an endpoint, or null when it can.</summary>
    public async Task<string?> ProblemAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "must be an absolute http or https URL";
        }

        if (url.Length > 2048)
        {
            return "must be at most 2048 characters";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not carry a user name or password";
        }

        if (AllowsPrivateNetworks)
        {
            return null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.IdnHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.IdnHost, ct);
        }
        catch (SocketException)
        {
            return $"the host {uri.Host} does not resolve";
        }

        return addresses.Length == 0 ? $"the host {uri.Host} does not resolve"
            : addresses.FirstOrDefault(IsPrivate) is { } blocked ? $"resolves to {blocked}, a loopback, private or link-local address"
            : null;
    }

    /// <summary>Whether a connection to <paramref name="address"/> is refused.</summary>
    public bool Refuses(IPAddress address) => !AllowsPrivateNetworks && IsPrivate(address);

    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                   || (b[0] & 0xFE) == 0xFC; // fc00::/7, unique local
        }

        var v4 = address.GetAddressBytes();
        return v4[0] == 10
               || v4[0] == 0
               || (v4[0] == 172 && v4[1] >= 16 && v4[1] <= 31)
               || (v4[0] == 192 && v4[1] == 168)
               || (v4[0] == 169 && v4[1] == 254)
               || (v4[0] == 100 && v4[1] >= 64 && v4[1] <= 127) // carrier-grade NAT
               || v4[0] >= 224; // multicast and reserved
    }
}
