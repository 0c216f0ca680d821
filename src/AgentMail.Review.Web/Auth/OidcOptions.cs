using Microsoft.Extensions.Options;

namespace AgentMail.Review.Web.Auth;

/// <summary>
/// Bound from <c>Authentication:Oidc</c>: the OpenID Connect provider people sign in with. In Development, with no
/// <see cref="Authority"/>, the built-in development provider on the app's own host is used instead.
/// </summary>
public sealed class OidcOptions
{
    public const string Section = "Authentication:Oidc";

    public const string DevelopmentClientId = "agentmail-review-dev";

    /// <summary>The provider's issuer URL; its discovery document is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>Empty for a public client (authorization code with PKCE either way).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Space-separated; must include <c>openid</c>.</summary>
    public string Scopes { get; set; } = "openid profile email";

    /// <summary>The id_token claim that carries the person's roles or groups.</summary>
    public string RoleClaim { get; set; } = "role";

    /// <summary>
    /// Provider group (a value of <see cref="RoleClaim"/>) → Viewer, Supervisor or Admin. When empty, values that are
    /// already one of those role names count as that role; when set, only mapped groups count.
    /// </summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public bool RequireHttpsMetadata { get; set; } = true;

    public bool UsesDevelopmentProvider => string.IsNullOrWhiteSpace(Authority);

    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The review roles a person holds, given the values of their <see cref="RoleClaim"/> claims.</summary>
    public IReadOnlySet<string> RolesFor(IEnumerable<string> groups)
    {
        var roles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var role = RoleMap.Count == 0 ? ReviewRoles.Normalise(group)
                : RoleMap.TryGetValue(group, out var mapped) ? ReviewRoles.Normalise(mapped) : null;
            if (role is not null)
            {
                roles.Add(role);
            }
        }

        return roles;
    }
}

/// <summary>A bad sign-in setting stops start-up with a message that names the key.</summary>
public sealed class OidcOptionsValidator(IHostEnvironment environment) : IValidateOptions<OidcOptions>
{
    public ValidateOptionsResult Validate(string? name, OidcOptions options)
    {
        var failures = new List<string>();
        if (options.UsesDevelopmentProvider)
        {
            if (!environment.IsDevelopment())
            {
                failures.Add($"{OidcOptions.Section}:Authority is required outside Development: set it to the issuer URL of your OpenID Connect provider "
                             + "(the built-in development sign-in only exists in Development).");
            }
        }
        else
        {
            if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{OidcOptions.Section}:Authority must be an absolute https:// URL, not \"{options.Authority}\".");
            }
            else if (authority.Scheme == Uri.UriSchemeHttp && options.RequireHttpsMetadata)
            {
                failures.Add($"{OidcOptions.Section}:Authority uses http://; use https://, or set {OidcOptions.Section}:RequireHttpsMetadata to false on a trusted network.");
            }

            if (string.IsNullOrWhiteSpace(options.ClientId))
            {
                failures.Add($"{OidcOptions.Section}:ClientId is required: the client id this app is registered under at {options.Authority}.");
            }
        }

        if (!options.ScopeList.Contains("openid"))
        {
            failures.Add($"{OidcOptions.Section}:Scopes must include openid (it is \"{options.Scopes}\").");
        }

        if (string.IsNullOrWhiteSpace(options.RoleClaim))
        {
            failures.Add($"{OidcOptions.Section}:RoleClaim must name the claim that carries roles or groups, such as role, roles or groups.");
        }

        foreach (var (group, role) in options.RoleMap)
        {
            if (ReviewRoles.Normalise(role) is null)
            {
                failures.Add($"{OidcOptions.Section}:RoleMap:{group} must be {string.Join(", ", ReviewRoles.All)}, not \"{role}\".");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
