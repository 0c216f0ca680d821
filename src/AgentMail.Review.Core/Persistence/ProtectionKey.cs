namespace AgentMail.Review.Core.Persistence;

/// <summary>
/// One key of the host's key ring (ASP.NET Core Data Protection: sign-in cookies, antiforgery tokens, console
/// circuits, download links), kept in the store so that a restart, another machine's profile or a second instance
/// reads what the first one signed.
/// </summary>
public sealed class ProtectionKey
{
    public int Id { get; init; }

    /// <summary>The key's name as Data Protection gives it (<c>key-{guid}</c>).</summary>
    public string? FriendlyName { get; init; }

    public required string Xml { get; init; }
}
