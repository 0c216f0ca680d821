namespace AgentMail.Review.Core.Delivery;

/// <summary>
/// <c>drafts.send</c>'s <c>add_labels</c> and <c>remove_labels</c>: labels the Message made from the draft gets or
/// loses beyond the draft's own. They are put on the draft when the send is asked for, before it is claimed or held
/// for review, so the Message carries them whenever the draft leaves.
/// </summary>
public sealed record MessageLabels(IReadOnlyList<string> Add, IReadOnlyList<string> Remove);
