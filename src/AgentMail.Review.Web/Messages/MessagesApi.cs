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

public sealed record ListMessagesResponse(int Count, int Limit, string? NextPageToken, IReadOnlyList<MessageResponse> Messages);

public static class MessagesApi
{
    public static IEndpointRouteBuilder MapMessagesApi(this IEndpointRouteBuilder routes)
    {
        var messages = routes.MapGroup("/v0/inboxes/{inbox_id}/messages").WithTags("Messages").RequireAuthorization(AuthExtensions.AgentPolicy);
        messages.MapGet("/", List).ProducesApiErrors(400, 404);
        messages.MapGet("/{message_id}", Get).ProducesApiErrors(404);
        return routes;
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
