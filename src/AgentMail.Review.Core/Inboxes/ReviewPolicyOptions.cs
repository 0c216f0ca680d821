namespace AgentMail.Review.Core.Inboxes;

/// <summary>Bound from <c>Review:Policy</c>.</summary>
public sealed class ReviewPolicyOptions
{
    public const string Section = "Review:Policy";

    /// <summary>
    /// Whether a new inbox requires review: nothing leaves it without a supervisor's approval. On unless turned off,
    /// so a new deployment never lets an agent's mail out unseen by accident.
    /// </summary>
    public bool DefaultReviewRequired { get; set; } = true;
}
