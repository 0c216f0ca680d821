using AgentMail.Review.Core.Attachments;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
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

/// <summary>
/// Attachments of drafts (per inbox and organisation-wide) and of sent messages, answered as JSON with a
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

    /// <summary>
    /// A <c>download_url</c>: the bytes, always as a download (never rendered in this server's origin), or 403 for a
    /// link that expired or was altered, 404 once the attachment is gone.
    /// </summary>
    private static async Task<FileContentHttpResult> Download([FromQuery] string? token, HttpContext context, AttachmentQueries attachments, AttachmentLinks links, CancellationToken ct)
    {
        var owner = links.Read(token)
            ?? throw new ForbiddenException("this download link is not valid: it has expired, was altered, or was not issued by this server; ask for the attachment again for a new one");
        var file = await attachments.ReadAsync(owner, ct);
        context.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.File(file.Data, file.Info.ContentType ?? "application/octet-stream", file.Info.Filename ?? file.Info.AttachmentId);
    }

    private static Ok<AttachmentLinkResponse> Answer(HttpContext context, AttachmentLinks links, AttachmentOwner owner, AttachmentInfo info)
    {
        var (url, expiresAt) = links.Issue(context.Request, owner);
        return TypedResults.Ok(new AttachmentLinkResponse(info.AttachmentId, info.Filename, info.Size, info.ContentType, info.ContentDisposition, info.ContentId, url, expiresAt));
    }
}
