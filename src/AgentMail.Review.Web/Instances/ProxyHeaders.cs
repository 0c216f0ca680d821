using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Web.Instances;

/// <summary>
/// Bound from <c>Review:Proxy</c>. Behind a reverse proxy (docs/nginx.conf) an instance takes the caller's address
/// and scheme from <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>, but only when the proxy is one it trusts:
/// loopback always, plus the addresses listed here. The scheme matters for sign-in (the callback URL a provider
/// sees is https when browsers use https) and the address for the audit trail.
/// </summary>
public sealed class ProxyOptions
{
    public const string Section = "Review:Proxy";

    /// <summary>IP addresses of proxies other than loopback whose forwarded headers are believed.</summary>
    public List<string> KnownProxies { get; set; } = [];
}

public sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var bad = options.KnownProxies.Where(p => !IPAddress.TryParse(p, out _)).ToList();
        return bad.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{ProxyOptions.Section}:KnownProxies must list IP addresses; not {string.Join(", ", bad.Select(b => $"\"{b}\""))}");
    }
}

public static class ProxyHeaders
{
    public static IServiceCollection AddReviewProxyHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProxyOptions>().Bind(configuration.GetSection(ProxyOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxy) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Loopback stays trusted (the framework's default); the listed proxies are added to it.
            foreach (var address in proxy.Value.KnownProxies)
            {
                if (IPAddress.TryParse(address, out var ip))
                {
                    forwarded.KnownProxies.Add(ip);
                }
            }
        });
        return services;
    }

    /// <summary>First in the pipeline, so everything after it sees the caller's real address and scheme.</summary>
    public static IApplicationBuilder UseReviewProxyHeaders(this IApplicationBuilder app) => app.UseForwardedHeaders();
}
