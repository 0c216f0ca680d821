using AgentMail.Review.Core.Attachments;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Web.Api;
using AgentMail.Review.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AgentMail.Review.Web.Attachments;

/// <summary>AgentMail's <c>AttachmentResponse</c>: an attachment with a signed link to its bytes.</summary>
public sealed record AttachmentLinkResponse(
    string AttachmentId,
    string? Filename,
    long Size,
    string? ContentType,
    string? ContentDisposition,
    string? ContentId,
    string DownloadUrl,
    DateTime ExpiresAt);

/// <summary>AgentMail's <c>RawMessageResponse</c>: a signed link to a message's complete MIME form.</summary>
public sealed record RawMessageResponse(string MessageId, long Size, string DownloadUrl, DateTime ExpiresAt);

/// <summary>
/// Attachments of drafts (per inbox and organisation-wide) of messages and of threads, and messages' raw MIME, answered as JSON with a
/// <c>download_url</c>; the link itself is served here and needs no API key.
/// </summary>
public static class AttachmentsApi
{
    public static IServiceCollection AddReviewAttachments(this IServiceCollection services)
    {
        services.AddOptions<AttachmentLinkOptions>().BindConfiguration(AttachmentLinkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AttachmentLinks>();
        return services;
    }

    public static IEndpointRouteBuilder MapAttachmentsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup(ApiPaths.Root).WithTags("Attachments");
        api.MapGet("/inboxes/{inbox_id}/drafts/{draft_id}/attachments/{attachment_id}", OfDraftInInbox).RequireAuthorization(AuthExtensions.AgentPolicy).ProducesApiErrors(404);
        api.MapGet("/drafts/{draft_id}/attachments/{attachment_id}", OfDraft).RequireAuthorization(AuthExtensions.AgentPolicy).ProducesApiErrors(404);
        api.MapGet("/inboxes/{inbox_id}/messages/{message_id}/attachments/{attachment_id}", OfMessage).RequireAuthorization(AuthExtensions.AgentPolicy).ProducesApiErrors(404);
        api.MapGet("/inboxes/{inbox_id}/threads/{thread_id}/attachments/{attachment_id}", OfThreadInInbox).RequireAuthorization(AuthExtensions.AgentPolicy).ProducesApiErrors(404);
        api.MapGet("/threads/{thread_id}/attachments/{attachment_id}", OfThread).RequireAuthorization(AuthExtensions.AgentPolicy).ProducesApiErrors(404);
        api.MapGet("/inboxes/{inbox_id}/messages/{message_id}/raw", RawOfMessage).RequireAuthorization(AuthExtensions.AgentPolicy).ProducesApiErrors(404);
        api.MapGet("/attachments/download", Download).AllowAnonymous()
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream").Produces<ApiError>(403).Produces<ApiError>(404);
        return routes;
    }

    private static async Task<Ok<AttachmentLinkResponse>> OfDraftInInbox(
        [FromRoute(Name = "inbox_id")] string inboxId,
        [FromRoute(Name = "draft_id")] string draftId,
        [FromRoute(Name = "attachment_id")] string attachmentId,
        HttpContext context,
        AttachmentQueries attachments,
        AttachmentLinks links,
        CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var (owner, info) = await attachments.FindOnDraftAsync(caller.Scope, caller.Inbox(inboxId), draftId, attachmentId, ct);
        return Answer(context, links, owner, info);
    }

    private static async Task<Ok<AttachmentLinkResponse>> OfDraft(
        [FromRoute(Name = "draft_id")] string draftId,
        [FromRoute(Name = "attachment_id")] string attachmentId,
        HttpContext context,
        AttachmentQueries attachments,
        AttachmentLinks links,
        CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var (owner, info) = await attachments.FindOnDraftAsync(caller.Scope, null, draftId, attachmentId, ct);
        return Answer(context, links, owner, info);
    }

    private static async Task<Ok<AttachmentLinkResponse>> OfMessage(
        [FromRoute(Name = "inbox_id")] string inboxId,
        [FromRoute(Name = "message_id")] string messageId,
        [FromRoute(Name = "attachment_id")] string attachmentId,
        HttpContext context,
        AttachmentQueries attachments,
        AttachmentLinks links,
        CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var (owner, info) = await attachments.FindOnMessageAsync(caller.Inbox(inboxId), messageId, attachmentId, ct);
        return Answer(context, links, owner, info);
    }

    private static async Task<Ok<AttachmentLinkResponse>> OfThreadInInbox(
        [FromRoute(Name = "inbox_id")] string inboxId,
        [FromRoute(Name = "thread_id")] string threadId,
        [FromRoute(Name = "attachment_id")] string attachmentId,
        HttpContext context,
        AttachmentQueries attachments,
        AttachmentLinks links,
        CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var (owner, info) = await attachments.FindOnThreadAsync(caller.Scope, caller.Inbox(inboxId), threadId, attachmentId, ct);
        return Answer(context, links, owner, info);
    }

    private static async Task<Ok<AttachmentLinkResponse>> OfThread(
        [FromRoute(Name = "thread_id")] string threadId,
        [FromRoute(Name = "attachment_id")] string attachmentId,
        HttpContext context,
        AttachmentQueries attachments,
        AttachmentLinks links,
        CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var (owner, info) = await attachments.FindOnThreadAsync(caller.Scope, null, threadId, attachmentId, ct);
        return Answer(context, links, owner, info);
    }

    /// <summary><c>messages.get_raw</c>: a signed, expiring link to the message's .eml, as sent or as received.</summary>
    private static async Task<Ok<RawMessageResponse>> RawOfMessage(
        [FromRoute(Name = "inbox_id")] string inboxId,
        [FromRoute(Name = "message_id")] string messageId,
        HttpContext context,
        MessageQueries messages,
        AttachmentLinks links,
        CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var inbox = caller.Inbox(inboxId);
        var size = await messages.GetRawSizeAsync(inbox, messageId, ct);
        var (url, expiresAt) = links.Issue(context.Request, new AttachmentOwner(AttachmentOwnerKind.RawMessage, inbox, messageId, messageId));
        return TypedResults.Ok(new RawMessageResponse(messageId, size, url, expiresAt));
    }

    /// <summary>
    /// A <c>download_url</c>: the bytes, always as a download (never rendered in this server's origin), or 403 for a
    /// link that expired or was altered, 404 once the attachment is gone.
    /// </summary>
    private static async Task<FileContentHttpResult> Download([FromQuery] string? token, HttpContext context, AttachmentQueries attachments, MessageQueries messages, AttachmentLinks links, CancellationToken ct)
    {
        var owner = links.Read(token)
            ?? throw new ForbiddenException("this download link is not valid: it has expired, was altered, or was not issued by this server; ask for the attachment again for a new one");
        context.Response.Headers.CacheControl = "private, no-store";
        if (owner.Kind == AttachmentOwnerKind.RawMessage)
        {
            var mime = await messages.ReadRawAsync(owner.InboxId, owner.OwnerId, ct);
            return TypedResults.File(mime, "message/rfc822", RawFileName(owner.OwnerId));
        }

        var file = await attachments.ReadAsync(owner, ct);
        return TypedResults.File(file.Data, file.Info.ContentType ?? "application/octet-stream", file.Info.Filename ?? file.Info.AttachmentId);
    }

    // "<0193…@agents.example>" → "0193….eml": a file name any mail program opens.
    private static string RawFileName(string messageId)
    {
        var name = messageId.Trim('<', '>');
        var at = name.IndexOf('@');
        return (at > 0 ? name[..at] : name) + ".eml";
    }

    private static Ok<AttachmentLinkResponse> Answer(HttpContext context, AttachmentLinks links, AttachmentOwner owner, AttachmentInfo info)
    {
        var (url, expiresAt) = links.Issue(context.Request, owner);
        return TypedResults.Ok(new AttachmentLinkResponse(info.AttachmentId, info.Filename, info.Size, info.ContentType, info.ContentDisposition, info.ContentId, url, expiresAt));
    }
}
