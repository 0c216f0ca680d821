namespace AgentMail.Review.DevIdentity;

/// <summary>A development account; <see cref="Role"/> is sent in the <c>role</c> claim of the id_token.</summary>
public sealed record DevUser(string Subject, string Email, string Name, string Role);

public static class DevUsers
{
    public static IReadOnlyList<DevUser> All { get; } =
    [
        new("dev-supervisor", "supervisor@example.com", "Sam Supervisor", "Supervisor"),
        new("dev-viewer", "viewer@example.com", "Val Viewer", "Viewer"),
        new("dev-admin", "admin@example.com", "Ada Admin", "Admin"),
    ];

    public static DevUser? ByEmail(string? email) =>
        All.FirstOrDefault(u => string.Equals(u.Email, email?.Trim(), StringComparison.OrdinalIgnoreCase));

    public static DevUser? BySubject(string? subject) => All.FirstOrDefault(u => u.Subject == subject);
}
