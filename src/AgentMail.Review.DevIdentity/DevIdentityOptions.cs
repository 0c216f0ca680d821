namespace AgentMail.Review.DevIdentity;

/// <summary>
/// The development sign-in provider's settings. The password is shared by the three development users and lives in
/// <c>appsettings.Development.json</c> (<c>Authentication:DevIdentity:Password</c>).
/// </summary>
public sealed class DevIdentityOptions
{
    public const string Section = "Authentication:DevIdentity";

    /// <summary>Where the provider answers, on the app's own host: its issuer is <c>{app}/dev-identity/</c>.</summary>
    public const string PathPrefix = "/dev-identity";

    public const string DefaultPassword = "dev-password";

    public string Password { get; set; } = DefaultPassword;

    /// <summary>The one client the provider knows: the Web app's own sign-in.</summary>
    public string ClientId { get; set; } = "agentmail-review-dev";

    /// <summary>Empty: a public client that proves itself with PKCE alone.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The client's callback path, accepted only on an address the app itself listens on (see <see cref="LoopbackApplicationManager{TApplication}"/>).</summary>
    public string RedirectPath { get; set; } = "/signin-oidc";

    public string PostLogoutRedirectPath { get; set; } = "/signout-callback-oidc";

    /// <summary>
    /// Origins of a reverse proxy in front of this app (e.g. <c>http://127.0.0.1:8080</c> for nginx before several
    /// instances), whose callbacks are accepted as the app's own: browsers come back through the proxy, not to the
    /// address the app listens on.
    /// </summary>
    public List<string> ProxyOrigins { get; set; } = [];
}
