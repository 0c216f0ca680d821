using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Inboxes;
using MimeKit;

namespace AgentMail.Review.Core.Delivery;

/// <summary>Turns a draft into the RFC 5322 message both transports deliver.</summary>
public static class MimeMessageFactory
{
    /// <summary>The Message-ID is derived from the draft id, so a retried delivery carries the same id.</summary>
    public static string MessageIdFor(Draft draft, Inbox inbox) => MessageIdFor(draft.DraftId, inbox.InboxId);

    public static string MessageIdFor(string draftId, string inboxAddress) => $"<{draftId}@{inboxAddress[(inboxAddress.IndexOf('@') + 1)..]}>";

    public static MimeMessage Create(Draft draft, Inbox inbox, IReadOnlyDictionary<string, byte[]> attachmentContents, DateTime date)
    {
        var message = new MimeMessage
        {
            MessageId = MessageIdFor(draft, inbox).Trim('<', '>'),
            Subject = draft.Subject ?? string.Empty,
            Date = new DateTimeOffset(date, TimeSpan.Zero),
        };
        message.From.Add(new MailboxAddress(inbox.DisplayName, inbox.InboxId));
        message.To.AddRange(draft.To.Select(MailboxAddress.Parse));
        message.Cc.AddRange(draft.Cc.Select(MailboxAddress.Parse));
        // Bcc recipients are envelope recipients only: MailKit leaves the Bcc header out of what it transmits.
        message.Bcc.AddRange(draft.Bcc.Select(MailboxAddress.Parse));
        message.ReplyTo.AddRange(draft.ReplyTo.Select(MailboxAddress.Parse));
        if (draft.InReplyTo is not null)
        {
            message.InReplyTo = draft.InReplyTo.Trim('<', '>');
        }

        foreach (var reference in draft.References)
        {
            message.References.Add(reference.Trim('<', '>'));
        }

        var body = new BodyBuilder { TextBody = draft.Text, HtmlBody = draft.Html };
        if (draft.Text is null && draft.Html is null)
        {
            body.TextBody = string.Empty;
        }

        foreach (var attachment in draft.Attachments)
        {
            var content = attachmentContents[attachment.AttachmentId];
            var contentType = ContentType.Parse(attachment.ContentType ?? "application/octet-stream");
            var entity = attachment.ContentDisposition == "inline"
                ? body.LinkedResources.Add(attachment.Filename ?? attachment.AttachmentId, content, contentType)
                : body.Attachments.Add(attachment.Filename ?? attachment.AttachmentId, content, contentType);
            if (attachment.ContentId is not null)
            {
                entity.ContentId = attachment.ContentId.Trim('<', '>');
            }
        }

        message.Body = body.ToMessageBody();
        return message;
    }
}
