using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Persistence;
using AgentMail.Review.Core.Threads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace AgentMail.Review.Core.Inbound;

/// <summary>
/// The one way mail from outside comes in. A received message is written whole in one transaction under the store's
/// write lock: its row (labels <c>received</c> and <c>unread</c>), its raw MIME, its attachments, its thread (joined
/// by In-Reply-To or References to a message of the same inbox, else new) and what it does to the follow-ups
/// scheduled in that thread. Either all of it is kept or none.
/// </summary>
public sealed partial class InboundMailService(
    IDbContextFactory<ReviewDbContext> dbFactory,
    StoreCommit commit,
    DraftsService drafts,
    TimeProvider clock,
    ILogger<InboundMailService> logger)
{
    /// <summary>Whether mail for <paramref name="address"/> is taken: only for an inbox of ours, so nothing is relayed.</summary>
    public async Task<bool> AcceptsAsync(string address, CancellationToken ct = default)
    {
        var inboxId = address.Trim().ToLowerInvariant();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Inboxes.AnyAsync(i => i.InboxId == inboxId, ct);
    }

    public async Task<Message> ReceiveAsync(string inboxId, MimeMessage message, byte[] raw, CancellationToken ct = default) =>
        (await ReceiveAsync([inboxId], message, raw, ct)).Single();

    /// <summary>
    /// Stores one copy of the message per inbox it was addressed to, all in one transaction: a sender that is refused
    /// tries again and must not find some of the copies already kept.
    /// </summary>
    /// <exception cref="MalformedMailException">It lacks what every message has (a From address).</exception>
    /// <exception cref="NotFoundException">One of the inboxes does not exist.</exception>
    public async Task<IReadOnlyList<Message>> ReceiveAsync(IReadOnlyCollection<string> inboxIds, MimeMessage message, byte[] raw, CancellationToken ct = default)
    {
        var mail = ReceivedMail.Read(message);
        var recipients = inboxIds.Select(i => i.Trim().ToLowerInvariant()).Distinct().ToList();
        if (recipients.Count == 0)
        {
            throw new ArgumentException("a message is received for at least one inbox", nameof(inboxIds));
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = new List<Message>();
        var changes = new List<DraftChange>();
        await commit.RunAsync(db, async () =>
        {
            var now = clock.UtcNowMs();
            foreach (var inboxId in recipients)
            {
                var inbox = await db.Inboxes.AsNoTracking().FirstOrDefaultAsync(i => i.InboxId == inboxId, ct)
                    ?? throw new NotFoundException($"inbox {inboxId} not found");
                var joined = await ThreadRepliedToAsync(db, inbox.InboxId, mail, ct);
                var received = new Message
                {
                    MessageId = await UnusedMessageIdAsync(db, mail.MessageId, inbox, stored, ct),
                    ThreadId = joined ?? Ids.New(),
                    InboxId = inbox.InboxId,
                    From = mail.From,
                    To = [.. mail.To],
                    Cc = [.. mail.Cc],
                    ReplyTo = [.. mail.ReplyTo],
                    Labels = [Message.ReceivedLabel, Message.UnreadLabel],
                    Subject = mail.Subject,
                    Text = mail.Text,
                    Html = mail.Html,
                    Preview = Preview.Of(mail.Text, mail.Html),
                    InReplyTo = mail.InReplyTo,
                    References = [.. mail.References],
                    Attachments = AttachmentRows.Add(db, mail.Attachments.Select(a => new NewAttachment(a.Filename, a.ContentType, a.ContentDisposition, a.ContentId, a.Content))),
                    Size = raw.LongLength,
                    Timestamp = now,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                db.Messages.Add(received);
                db.MessageMimes.Add(new MessageMime { MessageId = received.MessageId, Mime = raw });
                await ThreadLedger.RecordAsync(db, received, ct);
                EventLog.Append(db, EventTypes.MessageReceived, inbox.InboxId, now, new EventFacts
                {
                    Message = received,
                    Thread = db.Threads.Local.FirstOrDefault(t => t.ThreadId == received.ThreadId),
                });
                if (joined is not null)
                {
                    changes.AddRange(await drafts.ApplyReplyToFollowUpsAsync(db, inbox, received, now, ct));
                }

                stored.Add(received);
            }
        }, ct);

        foreach (var received in stored)
        {
            LogReceived(logger, received.MessageId, received.InboxId, received.ThreadId, received.From, received.Size);
        }

        drafts.PublishFollowUpChanges(changes);
        return stored;
    }

    /// <summary>
    /// The thread of the message this one answers: In-Reply-To first, else the newest of its References that this
    /// inbox has. Only this inbox's messages count, so a reply to another inbox's conversation never joins it.
    /// </summary>
    private static async Task<string?> ThreadRepliedToAsync(ReviewDbContext db, string inboxId, ReceivedMail mail, CancellationToken ct)
    {
        var candidates = mail.References.Reverse().Prepend(mail.InReplyTo).OfType<string>().Distinct().ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var known = await db.Messages.AsNoTracking()
            .Where(m => m.InboxId == inboxId && candidates.Contains(m.MessageId))
            .Select(m => new { m.MessageId, m.ThreadId })
            .ToListAsync(ct);
        return candidates.Select(id => known.FirstOrDefault(k => k.MessageId == id)?.ThreadId).FirstOrDefault(t => t is not null);
    }

    /// <summary>
    /// The message's own Message-ID when it has a usable one nobody else holds; otherwise a new one. Ids are unique
    /// across the store, and a stranger must not take one reserved for a draft that has not gone out yet (a held
    /// send has already been told its Message-ID), so those count as taken.
    /// </summary>
    private static async Task<string> UnusedMessageIdAsync(ReviewDbContext db, string? wanted, Inbox inbox, List<Message> batch, CancellationToken ct)
    {
        if (wanted is not null && batch.All(m => m.MessageId != wanted) && !await db.Messages.AnyAsync(m => m.MessageId == wanted, ct))
        {
            var localPart = wanted[1..wanted.IndexOf('@')];
            if (!await db.Drafts.AnyAsync(d => d.DraftId == localPart, ct))
            {
                return wanted;
            }
        }

        return $"<{Ids.New()}@{inbox.Domain}>";
    }

    /// <summary>The receipt's record: received mail has no draft, so no audit entry; the message row itself is the record.</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "Received {MessageId} for {InboxId} in thread {ThreadId} from {From} ({Size} bytes)")]
    private static partial void LogReceived(ILogger logger, string messageId, string inboxId, string threadId, string from, long size);
}
