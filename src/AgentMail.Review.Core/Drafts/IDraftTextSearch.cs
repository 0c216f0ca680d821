using AgentMail.Review.Core.Persistence;

namespace AgentMail.Review.Core.Drafts;

/// <summary>
/// Full-text search over drafts' subject, body, recipients and labels through the store's own index (each store
/// provider brings one): every word the supervisor typed must start a word of the draft, in any of those fields.
/// </summary>
public interface IDraftTextSearch
{
    /// <summary>The ids of the matching drafts, to compose into a query; null when the text has no word to look for.</summary>
    IQueryable<string>? Matching(ReviewDbContext db, string text);
}
