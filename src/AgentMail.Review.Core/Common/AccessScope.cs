namespace AgentMail.Review.Core.Common;

/// <summary>Which inboxes a caller may see: everything, or a named set (an inbox-scoped API key).</summary>
public sealed record AccessScope(IReadOnlySet<string>? InboxIds)
{
    public static readonly AccessScope Organisation = new((IReadOnlySet<string>?)null);

    public bool IsOrganisationWide => InboxIds is null;

    public bool Allows(string inboxId) => InboxIds is null || InboxIds.Contains(inboxId);
}
