using AgentMail.Review.Core.Common;
using MimeKit;

namespace AgentMail.Review.Core.Delivery;

/// <summary>
/// The default transport: the message is recorded in the store, nothing leaves the machine. Its row is committed in
/// the same transaction that turns the draft into a Message, so a message is recorded exactly when its send completes.
/// </summary>
public sealed class OutboxTransport(TimeProvider clock) : IMailTransport
{
    public bool DeliversOnCommit => true;

    public async Task<OutboxEntry?> DeliverAsync(MimeMessage message, CancellationToken ct)
    {
        var mime = await MimeWireFormat.ToBytesAsync(message, ct);
        var recipients = string.Join(", ", message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes).Select(m => m.Address));
        return new OutboxEntry
        {
            MessageId = $"<{message.MessageId}>",
            InboxId = message.From.Mailboxes.First().Address,
            Recipients = recipients,
            Mime = mime,
            RecordedAt = clock.UtcNowMs(),
        };
    }
}
