namespace AgentMail.Review.Core.Messages;

/// <summary>A message's complete RFC 5322 form, as sent or as received (for <c>messages.get_raw</c>).</summary>
public sealed class MessageMime
{
    public required string MessageId { get; init; }

    public required byte[] Mime { get; init; }
}
