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

    /// <summary>Null when <see cref="Create"/> can use this content type; else why not. The validator asks this at create.</summary>
    public static string? ContentTypeProblem(string contentType)
    {
        try
        {
            ParseContentType(contentType);
            return null;
        }
        catch (ParseException e)
        {
            return $"is not a valid MIME type ({e.Message})";
        }
    }

    /// <summary>Null when <see cref="Create"/> can use this Content-ID; else why not.</summary>
    public static string? ContentIdProblem(string contentId)
    {
        if (contentId.Any(char.IsWhiteSpace))
        {
            return "may not contain spaces";
        }

        try
        {
            _ = new MimePart { ContentId = ToContentId(contentId) };
            return null;
        }
        catch (ArgumentException)
        {
            return "is not a valid Content-ID (such as logo@example.com)";
        }
    }

    // MimeKit's TryParse is more forgiving than its Parse; the message is built with Parse, so that is the test.
    private static ContentType ParseContentType(string contentType) => ContentType.Parse(ParserOptions.Default, contentType);

    private static string ToContentId(string contentId) => contentId.Trim('<', '>');

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
            var contentType = ParseContentType(attachment.ContentType ?? "application/octet-stream");
            var entity = attachment.ContentDisposition == "inline"
                ? body.LinkedResources.Add(attachment.Filename ?? attachment.AttachmentId, content, contentType)
                : body.Attachments.Add(attachment.Filename ?? attachment.AttachmentId, content, contentType);
            if (attachment.ContentId is not null)
            {
                entity.ContentId = ToContentId(attachment.ContentId);
            }
        }

        message.Body = body.ToMessageBody();
        return message;
    }
}
