namespace AgentMail.Review.Web.Auth;

/// <summary>
/// The console's authorisation policies, by role: viewers read, supervisors act, admins administer. Each is met by
/// its role or any higher one, and only by a signed-in person (the console cookie), never by an API key.
/// </summary>
public static class ReviewPolicies
{
    public const string Viewer = "Viewer";
    public const string Supervisor = "Supervisor";
    public const string Admin = "Admin";
}

/// <summary>The roles a person can hold, as mapped from the provider's groups by <c>Authentication:Oidc:RoleMap</c>.</summary>
public static class ReviewRoles
{
    public const string Viewer = "Viewer";
    public const string Supervisor = "Supervisor";
    public const string Admin = "Admin";

    public static IReadOnlyList<string> All { get; } = [Viewer, Supervisor, Admin];

    /// <summary>The canonical spelling of a role name, or null when it is not one.</summary>
    public static string? Normalise(string? role) => All.FirstOrDefault(r => string.Equals(r, role?.Trim(), StringComparison.OrdinalIgnoreCase));
}
