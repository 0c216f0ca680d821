using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Inbound;
using AgentMail.Review.Core.Messages;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace AgentMail.Review.Web.Tests.Support;

/// <summary>
/// A conversation made the way the product makes one: an agent's first mail approved and delivered through the drafts
/// service, a follow-up scheduled in its thread, and the recipient's reply received by the inbound service.
/// </summary>
public static class Conversations
{
    public static readonly Actor Supervisor = Actor.Person("supervisor@example.com", "supervisor@example.com", "127.0.0.1");

    /// <summary>Sends a draft as the send job would (approved, claimed, delivered); answers the Message.</summary>
    public static async Task<Message> SendAsync(this ConsoleTestContext context, string inboxId, NewDraft request)
    {
        var drafts = context.Drafts;
        var draft = await drafts.CreateAsync(ConsoleTestContext.Agent, inboxId, request);
        var approved = await drafts.ApproveAsync(Supervisor, inboxId, draft.DraftId, draft.Version, context.Clock.GetUtcNow().UtcDateTime);
        var claimed = await drafts.ClaimForSendingAsync(Actor.System, approved.DraftId, approved.Version, "test") ?? throw new InvalidOperationException("not claimed");
        return await drafts.CompleteSendAsync(Actor.System, new Transmission(claimed, inboxId, $"<{draft.DraftId}@{inboxId.Split('@')[1]}>", "MIME"u8.ToArray(), null));
    }

    /// <summary>A reply to <paramref name="original"/> arriving over SMTP.</summary>
    public static Task<Message> ReceiveReplyAsync(this ConsoleTestContext context, Message original, string from, string text, string? html = null)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(from));
        mime.To.Add(MailboxAddress.Parse(original.InboxId));
        mime.Subject = $"Re: {original.Subject}";
        mime.InReplyTo = original.MessageId.Trim('<', '>');
        mime.MessageId = $"{Guid.NewGuid():N}@example.com";
        var body = new BodyBuilder { TextBody = text, HtmlBody = html };
        mime.Body = body.ToMessageBody();
        using var raw = new MemoryStream();
        mime.WriteTo(raw);
        return context.Services.GetRequiredService<InboundMailService>().ReceiveAsync(original.InboxId, mime, raw.ToArray());
    }
}
