using AgentMail.Review.Core.Inbound;
using AgentMail.Review.Core.Messages;
using MimeKit;
using MimeKit.Utils;

namespace AgentMail.Review.Core.Tests.Inbound;

/// <summary>Mail as a stranger's server would hand it over: built with MimeKit, then read back from its bytes as the listener does.</summary>
internal static class InboundMail
{
    public static (MimeMessage Message, byte[] Raw) Reply(string to, Message? repliesTo = null, string from = "bob@example.com", string text = "Thanks, that works for me.", Action<MimeMessage>? change = null)
    {
        var mail = new MimeMessage { Subject = repliesTo?.Subject is { } subject ? $"Re: {subject}" : "Hello", MessageId = MimeUtils.GenerateMessageId("example.com") };
        mail.From.Add(MailboxAddress.Parse(from));
        mail.To.Add(MailboxAddress.Parse(to));
        if (repliesTo is not null)
        {
            mail.InReplyTo = repliesTo.MessageId.Trim('<', '>');
            mail.References.Add(repliesTo.MessageId.Trim('<', '>'));
        }

        mail.Body = new TextPart("plain") { Text = text };
        change?.Invoke(mail);
        return Read(mail);
    }

    public static (MimeMessage Message, byte[] Raw) Read(MimeMessage mail)
    {
        using var bytes = new MemoryStream();
        mail.WriteTo(FormatOptions.Default, bytes);
        var raw = bytes.ToArray();
        return (ReceivedMail.Parse(raw), raw);
    }

    public static Task<Message> ReceiveAsync(this InboundMailService inbound, string inboxId, (MimeMessage Message, byte[] Raw) mail) =>
        inbound.ReceiveAsync(inboxId, mail.Message, mail.Raw);
}
