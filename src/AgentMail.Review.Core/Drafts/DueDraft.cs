namespace AgentMail.Review.Core.Drafts;

/// <summary>A scheduled draft as a send needs it: which one, at which version, when.</summary>
public sealed record DueDraft(string DraftId, long Version, DateTime SendAt);
