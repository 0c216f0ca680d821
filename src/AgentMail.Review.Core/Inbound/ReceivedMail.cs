using System.Text;
using AgentMail.Review.Core.Common;
using MimeKit;

namespace AgentMail.Review.Core.Inbound;

/// <summary>The message could not be read as mail (or lacks what every message must have); nothing of it was kept.</summary>
public sealed class MalformedMailException(string message, Exception? innerException = null) : ReviewException(message, innerException);

/// <summary>One part of a received message that is not its text or html body.</summary>
public sealed record ReceivedAttachment(string? Filename, string ContentType, string ContentDisposition, string? ContentId, byte[] Content);

/// <summary>
/// What a received message says, read from MimeKit's parse of it. Everything here came from a stranger: header text
/// that ends up in replies (addresses, subject, ids) loses the characters that would break a header line or fail the
/// drafts' own validation when an agent replies; bodies are kept as sent (html is shown only sanitised).
/// </summary>
public sealed record ReceivedMail(
    string? MessageId,
    string From,
    IReadOnlyList<string> To,
    IReadOnlyList<string> Cc,
    IReadOnlyList<string> ReplyTo,
    string? Subject,
    string? Text,
    string? Html,
    string? InReplyTo,
    IReadOnlyList<string> References,
    IReadOnlyList<ReceivedAttachment> Attachments)
{
    /// <summary>Long enough for any real conversation; a hostile list of thousands is cut to its newest ids.</summary>
    public const int MaxReferences = 100;

    private const int MaxSubjectLength = 998;

    private const int MaxMessageIdLength = 250;

    private static readonly char[] Specials = ['"', '(', ')', ',', '.', ':', ';', '<', '>', '@', '[', '\\', ']'];

    /// <summary>Parses <paramref name="raw"/> as an RFC 5322 message, or says why it is not one.</summary>
    public static MimeMessage Parse(byte[] raw)
    {
        if (raw.Length == 0)
        {
            throw new MalformedMailException("the message is empty");
        }

        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            return MimeMessage.Load(ParserOptions.Default, stream);
        }
        catch (FormatException e)
        {
            throw new MalformedMailException($"the message is not valid mail: {e.Message}", e);
        }
    }

    public static ReceivedMail Read(MimeMessage message)
    {
        var from = message.From.Mailboxes.Select(Address).FirstOrDefault(a => a is not null)
            ?? (message.Sender is { } sender ? Address(sender) : null);
        if (from is null)
        {
            throw new MalformedMailException("the message has no From address");
        }

        return new ReceivedMail(
            MessageIdOrNull(message.MessageId),
            from,
            Addresses(message.To),
            Addresses(message.Cc),
            Addresses(message.ReplyTo),
            message.Subject is { } subject ? Truncate(HeaderText(subject), MaxSubjectLength) : null,
            message.TextBody,
            message.HtmlBody,
            MessageIdOrNull(message.InReplyTo),
            message.References.Select(MessageIdOrNull).OfType<string>().TakeLast(MaxReferences).ToList(),
            AttachmentsOf(message));
    }

    /// <summary>The id as this product stores every Message-ID: in angle brackets. Null for one that is no id at all.</summary>
    public static string? MessageIdOrNull(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        var bare = id.Trim().Trim('<', '>');
        return bare.Length == 0 || bare.Length > MaxMessageIdLength || !bare.Contains('@')
               || bare.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '\u2028' or '\u2029')
            ? null
            : $"<{bare}>";
    }

    private static List<string> Addresses(InternetAddressList list) =>
        list.Mailboxes.Select(Address).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary><c>bob@example.com</c> or <c>Bob &lt;bob@example.com&gt;</c>; null for an address unfit to reply to.</summary>
    private static string? Address(MailboxAddress mailbox)
    {
        var address = mailbox.Address;
        if (string.IsNullOrEmpty(address) || address.IndexOf('@') <= 0 || address.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '\u2028' or '\u2029'))
        {
            return null;
        }

        var name = string.IsNullOrWhiteSpace(mailbox.Name) ? null : HeaderText(mailbox.Name).Trim();
        if (string.IsNullOrEmpty(name))
        {
            return address;
        }

        // Written as people write it ("Bob Jones <bob@example.com>"); quoted only where a special character needs it.
        return name.IndexOfAny(Specials) < 0 ? $"{name} <{address}>" : new MailboxAddress(name, address).ToString(FormatOptions.Default, encode: false);
    }

    /// <summary>Control characters and line separators (an encoded word can carry a CR or LF) become spaces.</summary>
    private static string HeaderText(string text)
    {
        var clean = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            clean.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? ' ' : c);
        }

        return clean.ToString();
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    private static List<ReceivedAttachment> AttachmentsOf(MimeMessage message)
    {
        var attachments = new List<ReceivedAttachment>();
        var text = message.TextBody is null ? null : message.BodyParts.OfType<TextPart>().FirstOrDefault(p => !p.IsAttachment && p.IsPlain);
        var html = message.HtmlBody is null ? null : message.BodyParts.OfType<TextPart>().FirstOrDefault(p => !p.IsAttachment && p.IsHtml);
        foreach (var entity in message.BodyParts)
        {
            if (ReferenceEquals(entity, text) || ReferenceEquals(entity, html))
            {
                continue;
            }

            using var content = new MemoryStream();
            switch (entity)
            {
                case MimePart part:
                    part.Content?.DecodeTo(content);
                    break;
                case MessagePart attached:
                    attached.Message?.WriteTo(content);
                    break;
                default:
                    continue;
            }

            attachments.Add(new ReceivedAttachment(
                (entity is MimePart named ? named.FileName : entity.ContentType.Name) is { } filename ? HeaderText(filename) : null,
                entity.ContentType.MimeType,
                entity.ContentDisposition?.Disposition ?? (entity.IsAttachment ? ContentDisposition.Attachment : ContentDisposition.Inline),
                entity.ContentId is { } id ? HeaderText(id) : null,
                content.ToArray()));
        }

        return attachments;
    }
}
