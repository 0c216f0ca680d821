using AgentMail.Review.Core.Drafts;

namespace AgentMail.Review.Core.Delivery;

/// <summary>
/// A claimed draft that has left: the mail server accepted it, or the Outbox has its record to write. What remains is
/// to record it as a Message (<see cref="DraftsService.CompleteSendAsync"/>).
/// </summary>
/// <param name="From">The inbox's address, the Message's sender.</param>
/// <param name="Mime">The message as it was transmitted.</param>
/// <param name="Recorded">The Outbox's record, written in the same commit; null when a mail server has it.</param>
public sealed record Transmission(Draft Claimed, string From, string MessageId, byte[] Mime, OutboxEntry? Recorded);
