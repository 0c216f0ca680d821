using System.ComponentModel.DataAnnotations;

namespace AgentMail.Review.Core.Inboxes;

/// <summary>Bound from <c>Review:Inboxes</c>.</summary>
public sealed class InboxOptions
{
    public const string Section = "Review:Inboxes";

    /// <summary>The domain of an inbox created without one.</summary>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$", ErrorMessage = "Review:Inboxes:DefaultDomain must be a domain name such as agents.example.com")]
    public string DefaultDomain { get; set; } = "agents.localhost.test";
}
