using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace AgentMail.Review.Core.Delivery;

/// <summary>The default transport: records the message in SQLite; nothing leaves the machine.</summary>
public sealed class OutboxTransport(IDbContextFactory<ReviewDbContext> dbFactory, StoreWriteLock writeLock, TimeProvider clock) : IMailTransport
{
    public async Task DeliverAsync(MimeMessage message, CancellationToken ct)
    {
        using var stream = new MemoryStream();
        // As it would go on the wire: Bcc recipients are in the envelope, not the headers.
        var format = FormatOptions.Default.Clone();
        format.HiddenHeaders.Add(HeaderId.Bcc);
        await message.WriteToAsync(format, stream, ct);
        var messageId = $"<{message.MessageId}>";
        var recipients = string.Join(", ", message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes).Select(m => m.Address));

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A redelivery of the same draft (same Message-ID) keeps the one entry.
        if (await db.Outbox.AnyAsync(o => o.MessageId == messageId, ct))
        {
            return;
        }

        db.Outbox.Add(new OutboxEntry
        {
            MessageId = messageId,
            InboxId = message.From.Mailboxes.First().Address,
            Recipients = recipients,
            Mime = stream.ToArray(),
            RecordedAt = clock.UtcNowMs(),
        });
        await using (await writeLock.EnterAsync(ct))
        {
            await db.SaveChangesAsync(ct);
        }
    }
}
