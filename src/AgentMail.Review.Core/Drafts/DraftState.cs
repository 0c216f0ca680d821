namespace AgentMail.Review.Core.Drafts;

public enum DraftState
{
    /// <summary>No send time: waits for a person (or the agent).</summary>
    Pending,

    /// <summary>Goes out at <see cref="Draft.SendAt"/>.</summary>
    Scheduled,

    /// <summary>A send job has claimed it; it cannot be edited or deleted.</summary>
    Sending,

    /// <summary>Delivery failed or was interrupted; a person decides what happens next.</summary>
    Failed,
}
