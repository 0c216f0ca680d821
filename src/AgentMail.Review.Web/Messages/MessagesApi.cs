using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Idempotency;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Web.Api;
using AgentMail.Review.Web.Auth;
using AgentMail.Review.Web.Drafts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AgentMail.Review.Web.Messages;

/// <summary>AgentMail's <c>Message</c>: what a sent draft became.</summary>
public sealed record MessageResponse(
    string InboxId,
    string ThreadId,
    string MessageId,
    IReadOnlyList<string> Labels,
    DateTime Timestamp,
    string From,
    IReadOnlyList<string>? ReplyTo,
    IReadOnlyList<string> To,
    IReadOnlyList<string>? Cc,
    IReadOnlyList<string>? Bcc,
    string? Subject,
    string? Preview,
    string? Text,
    string? Html,
    IReadOnlyList<AttachmentResponse>? Attachments,
    string? InReplyTo,
    IReadOnlyList<string>? References,
    long Size,
    string? SentBy,
    DateTime UpdatedAt,
    DateTime CreatedAt)
{
    public static MessageResponse Of(Message m, bool withBodies) => new(
        m.InboxId, m.ThreadId, m.MessageId, m.Labels, m.Timestamp, m.From, DraftResponse.NullIfEmpty(m.ReplyTo), m.To,
        DraftResponse.NullIfEmpty(m.Cc), DraftResponse.NullIfEmpty(m.Bcc), m.Subject, m.Preview, withBodies ? m.Text : null, withBodies ? m.Html : null,
        m.Attachments.Count == 0 ? null : m.Attachments.Select(AttachmentResponse.From).ToList(), m.InReplyTo, DraftResponse.NullIfEmpty(m.References),
        m.Size, m.SentBy, m.UpdatedAt, m.CreatedAt);
}

public sealed record UpdateMessageResponse(string MessageId, IReadOnlyList<string> Labels);

public sealed record ListMessagesResponse(int Count, int Limit, string? NextPageToken, IReadOnlyList<MessageResponse> Messages);

public static class MessagesApi
{
    public static IEndpointRouteBuilder MapMessagesApi(this IEndpointRouteBuilder routes)
    {
        var messages = routes.MapGroup("/v0/inboxes/{inbox_id}/messages").WithTags("Messages").RequireAuthorization(AuthExtensions.AgentPolicy);
        messages.MapGet("/", List).ProducesApiErrors(400, 404);
        messages.MapGet("/{message_id}", Get).ProducesApiErrors(404);
        messages.MapPatch("/{message_id}", Update).ProducesApiErrors(400, 404);
        messages.MapPost("/send", Send).ProducesApiErrors(400, 404, 409, 422);
        messages.MapPost("/{message_id}/reply", (string inbox_id, string message_id, HttpContext context, SendService sending, CancellationToken ct) =>
            Reply(inbox_id, message_id, replyAll: false, context, sending, ct)).ProducesApiErrors(400, 404, 409, 422);
        messages.MapPost("/{message_id}/reply-all", (string inbox_id, string message_id, HttpContext context, SendService sending, CancellationToken ct) =>
            Reply(inbox_id, message_id, replyAll: true, context, sending, ct)).ProducesApiErrors(400, 404, 409, 422);
        messages.MapPost("/{message_id}/forward", Forward).ProducesApiErrors(400, 404, 409, 422);
        return routes;
    }

    private static async Task<Ok<UpdateMessageResponse>> Update([FromRoute(Name = "inbox_id")] string inboxId, [FromRoute(Name = "message_id")] string messageId, HttpContext context, MessageService messages, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var (add, remove) = await MessageRequests.ReadLabelsAsync(context.Request, ct);
        var message = await messages.UpdateLabelsAsync(caller.Inbox(inboxId), messageId, add, remove, ct);
        return TypedResults.Ok(new UpdateMessageResponse(message.MessageId, message.Labels));
    }

    private static async Task<Results<Ok<SendDraftResponse>, Accepted<SendDraftResponse>>> Send([FromRoute(Name = "inbox_id")] string inboxId, HttpContext context, SendService sending, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var (draft, body) = await MessageRequests.ReadSendAsync(context.Request, ct);
        return await SendNewAsync(caller, caller.Inbox(inboxId), draft, body, "messages.send", context, sending, ct);
    }

    private static async Task<Results<Ok<SendDraftResponse>, Accepted<SendDraftResponse>>> Reply(string inboxId, string messageId, bool replyAll, HttpContext context, SendService sending, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var (draft, body) = await MessageRequests.ReadReplyAsync(context.Request, messageId, replyAll, ct);
        return await SendNewAsync(caller, caller.Inbox(inboxId), draft, body, replyAll ? $"messages.reply_all {messageId}" : $"messages.reply {messageId}", context, sending, ct);
    }

    private static async Task<Results<Ok<SendDraftResponse>, Accepted<SendDraftResponse>>> Forward(
        [FromRoute(Name = "inbox_id")] string inboxId,
        [FromRoute(Name = "message_id")] string messageId,
        HttpContext context,
        SendService sending,
        Forwarding forwarding,
        CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var inbox = caller.Inbox(inboxId);
        var (request, body) = await MessageRequests.ReadSendAsync(context.Request, ct);
        var draft = await forwarding.DraftAsync(inbox, messageId, request, ct);
        return await SendNewAsync(caller, inbox, draft, body, $"messages.forward {messageId}", context, sending, ct);
    }

    /// <summary>The message goes through the one send entry point; its answer is translated as a draft's send is.</summary>
    private static async Task<Results<Ok<SendDraftResponse>, Accepted<SendDraftResponse>>> SendNewAsync(
        ApiCaller caller, string inbox, Core.Drafts.NewDraft draft, byte[] body, string operation, HttpContext context, SendService sending, CancellationToken ct)
    {
        var idempotency = IdempotencyHeader.Read(context.Request, $"{operation} {inbox}", body);
        var receipt = await sending.SendNewAsync(caller.Actor, caller.Scope, inbox, draft, operation.Split(' ')[0], idempotency, ct);
        return SendAnswers.For(receipt, $"/v0/inboxes/{inbox}/messages/{Uri.EscapeDataString(receipt.MessageId)}");
    }

    private static async Task<Ok<ListMessagesResponse>> List([FromRoute(Name = "inbox_id")] string inboxId, HttpContext context, InboxService inboxes, MessageQueries messages, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var inbox = await inboxes.GetAsync(caller.Scope, caller.Inbox(inboxId), ct);
        var page = await messages.ListAsync(inbox.InboxId, ListParameters.Read(context.Request), ct);
        return TypedResults.Ok(new ListMessagesResponse(page.Items.Count, page.Limit, page.NextPageToken, page.Items.Select(m => MessageResponse.Of(m, withBodies: false)).ToList()));
    }

    private static async Task<Ok<MessageResponse>> Get([FromRoute(Name = "inbox_id")] string inboxId, [FromRoute(Name = "message_id")] string messageId, HttpContext context, MessageQueries messages, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        return TypedResults.Ok(MessageResponse.Of(await messages.GetAsync(caller.Inbox(inboxId), messageId, ct), withBodies: true));
    }
}
