namespace AgentMail.Review.Core.Inboxes;

/// <summary>
/// What a reply arriving in a thread does to the drafts scheduled in that thread, so nobody gets a "just bumping
/// this" after they answered. Drafts already being sent are past stopping and are left alone.
/// </summary>
public enum OnReplyPolicy
{
    /// <summary>They go back to waiting for a person (unscheduled), saying why.</summary>
    Hold,

    /// <summary>They are deleted.</summary>
    Cancel,

    /// <summary>They stay scheduled.</summary>
    None,
}
