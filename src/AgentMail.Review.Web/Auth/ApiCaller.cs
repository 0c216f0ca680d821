using System.Security.Claims;
using AgentMail.Review.Core.Common;

namespace AgentMail.Review.Web.Auth;

/// <summary>
/// The agent behind an API request: who it is for the audit trail (and whether its key may send alone), and which
/// inboxes it may use.
/// </summary>
public sealed record ApiCaller(Actor Actor, AccessScope Scope)
{
    public static ApiCaller From(HttpContext context)
    {
        var user = context.User;
        var keyId = user.FindFirstValue(ReviewClaims.ApiKeyId) ?? throw new InvalidOperationException("an API endpoint ran without an authenticated API key");
        var inboxes = user.FindAll(ReviewClaims.Inbox).Select(c => c.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new ApiCaller(
            Actor.Agent(keyId, user.FindFirstValue(ClaimTypes.Name) ?? keyId, context.Connection.RemoteIpAddress?.ToString(), maySend: user.FindFirstValue(ReviewClaims.CanSend) == "true"),
            inboxes.Count == 0 ? AccessScope.Organisation : new AccessScope(inboxes));
    }

    /// <summary>An inbox outside the key's scope is answered as if it did not exist.</summary>
    public string Inbox(string inboxId)
    {
        var normalised = inboxId.Trim().ToLowerInvariant();
        return Scope.Allows(normalised) ? normalised : throw new NotFoundException($"inbox {inboxId} not found");
    }
}
