namespace AgentMail.Review.Web.Auth;

/// <summary>The console's authorisation policies, by role: viewers read, supervisors act, admins administer.</summary>
public static class ReviewPolicies
{
    public const string Viewer = "Viewer";
    public const string Supervisor = "Supervisor";
    public const string Admin = "Admin";
}
