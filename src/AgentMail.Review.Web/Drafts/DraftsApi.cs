using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Scheduling;
using AgentMail.Review.Web.Api;
using AgentMail.Review.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AgentMail.Review.Web.Drafts;

/// <summary>AgentMail v0 drafts: per inbox, and organisation-wide reads.</summary>
public static class DraftsApi
{
    public static IEndpointRouteBuilder MapDraftsApi(this IEndpointRouteBuilder routes)
    {
        var inbox = routes.MapGroup("/v0/inboxes/{inbox_id}/drafts").WithTags("Drafts").RequireAuthorization(AuthExtensions.AgentPolicy);
        inbox.MapGet("/", ListInInbox).ProducesApiErrors(400, 404);
        inbox.MapPost("/", Create).Accepts<CreateDraftRequest>("application/json").ProducesApiErrors(400, 404);
        inbox.MapGet("/{draft_id}", GetInInbox).ProducesApiErrors(404);
        inbox.MapPatch("/{draft_id}", Update).Accepts<UpdateDraftRequest>("application/json").ProducesApiErrors(400, 404, 409);
        inbox.MapDelete("/{draft_id}", Delete).ProducesApiErrors(404, 409);
        inbox.MapPost("/{draft_id}/send", Send).ProducesApiErrors(403, 404, 409, 502);
        inbox.MapGet("/{draft_id}/attachments/{attachment_id}", GetAttachment).ProducesApiErrors(404);

        var organisation = routes.MapGroup("/v0/drafts").WithTags("Drafts").RequireAuthorization(AuthExtensions.AgentPolicy);
        organisation.MapGet("/", ListAll).ProducesApiErrors(400);
        organisation.MapGet("/{draft_id}", Get).ProducesApiErrors(404);
        return routes;
    }

    private static async Task<Ok<ListDraftsResponse>> ListInInbox([FromRoute(Name = "inbox_id")] string inboxId, HttpContext context, InboxService inboxes, DraftQueries queries, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var inbox = await inboxes.GetAsync(caller.Scope, caller.Inbox(inboxId), ct);
        var page = await queries.ListAsync(caller.Scope, inbox.InboxId, ListParameters.Read(context.Request), ct);
        return ToList(page);
    }

    private static async Task<Ok<ListDraftsResponse>> ListAll(HttpContext context, DraftQueries queries, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var page = await queries.ListAsync(caller.Scope, null, ListParameters.Read(context.Request), ct);
        return ToList(page);
    }

    private static async Task<Ok<DraftResponse>> Create([FromRoute(Name = "inbox_id")] string inboxId, HttpContext context, DraftsService drafts, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var request = await DraftRequests.ReadCreateAsync(context.Request, ct);
        var draft = await drafts.CreateAsync(caller.Actor, caller.Inbox(inboxId), request, ct);
        return TypedResults.Ok(DraftResponse.From(draft));
    }

    private static async Task<Ok<DraftResponse>> GetInInbox([FromRoute(Name = "inbox_id")] string inboxId, [FromRoute(Name = "draft_id")] string draftId, HttpContext context, DraftQueries queries, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        return TypedResults.Ok(DraftResponse.From(await queries.GetAsync(caller.Scope, caller.Inbox(inboxId), draftId, ct)));
    }

    private static async Task<Ok<DraftResponse>> Get([FromRoute(Name = "draft_id")] string draftId, HttpContext context, DraftQueries queries, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        return TypedResults.Ok(DraftResponse.From(await queries.GetAsync(caller.Scope, null, draftId, ct)));
    }

    private static async Task<Ok<DraftResponse>> Update([FromRoute(Name = "inbox_id")] string inboxId, [FromRoute(Name = "draft_id")] string draftId, HttpContext context, DraftsService drafts, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var patch = await DraftRequests.ReadUpdateAsync(context.Request, ct);
        var draft = await drafts.UpdateAsync(caller.Actor, caller.Inbox(inboxId), draftId, patch, ct);
        return TypedResults.Ok(DraftResponse.From(draft));
    }

    private static async Task<NoContent> Delete([FromRoute(Name = "inbox_id")] string inboxId, [FromRoute(Name = "draft_id")] string draftId, HttpContext context, DraftsService drafts, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        await drafts.DeleteAsync(caller.Actor, caller.Inbox(inboxId), draftId, null, ct);
        return TypedResults.NoContent();
    }

    private static async Task<FileContentHttpResult> GetAttachment(
        [FromRoute(Name = "inbox_id")] string inboxId,
        [FromRoute(Name = "draft_id")] string draftId,
        [FromRoute(Name = "attachment_id")] string attachmentId,
        HttpContext context,
        DraftQueries queries,
        CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var draft = await queries.GetAsync(caller.Scope, caller.Inbox(inboxId), draftId, ct);
        var content = await queries.GetAttachmentAsync(caller.Scope, draft.InboxId, draftId, attachmentId, ct);
        var info = draft.Attachments.First(a => a.AttachmentId == attachmentId);
        return TypedResults.File(content.Data, info.ContentType ?? "application/octet-stream", info.Filename);
    }

    private static async Task<Results<Ok<SendDraftResponse>, Accepted<SendDraftResponse>>> Send(
        [FromRoute(Name = "inbox_id")] string inboxId,
        [FromRoute(Name = "draft_id")] string draftId,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        HttpContext context,
        DraftQueries queries,
        MessageQueries messages,
        InboxService inboxes,
        SendScheduler scheduler,
        CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var inbox = caller.Inbox(inboxId);
        if (!string.IsNullOrEmpty(idempotencyKey) && await messages.FindByIdempotencyKeyAsync(inbox, idempotencyKey, ct) is { } earlier)
        {
            return TypedResults.Ok(new SendDraftResponse(earlier.MessageId, earlier.ThreadId));
        }

        if (!caller.CanSend)
        {
            throw new ForbiddenException("this API key may not send; a supervisor approves its drafts");
        }

        if ((await inboxes.GetAsync(caller.Scope, inbox, ct)).ReviewRequired)
        {
            throw new ForbiddenException($"inbox {inbox} requires review: agents cannot send from it; a supervisor approves and sends its drafts");
        }

        var draft = await queries.GetAsync(caller.Scope, inbox, draftId, ct);
        if (draft.State == DraftState.Sending)
        {
            throw new ConflictException($"draft {draftId} is already being sent");
        }

        var outcome = await scheduler.SendNowAndWaitAsync(caller.Actor, draftId, draft.Version, "sent through the API", idempotencyKey, ct);
        if (outcome is null)
        {
            // Still being delivered (a slow mail server): the ids are fixed already, the result shows in the draft.
            var pending = new SendDraftResponse(MimeMessageFactory.MessageIdFor(draft.DraftId, inbox), draft.ThreadId);
            return TypedResults.Accepted($"/v0/inboxes/{inbox}/drafts/{draftId}", pending);
        }

        return outcome.Result switch
        {
            SendResult.Sent => TypedResults.Ok(new SendDraftResponse(outcome.Message!.MessageId, outcome.Message.ThreadId)),
            SendResult.Failed => throw new DeliveryFailedException(outcome.FailureReason!),
            _ => throw new ConflictException($"draft {draftId} changed or is already being sent; read it again and retry"),
        };
    }

    private static Ok<ListDraftsResponse> ToList(Page<Draft> page) =>
        TypedResults.Ok(new ListDraftsResponse(page.Items.Count, page.Limit, page.NextPageToken, page.Items.Select(DraftItemResponse.From).ToList()));
}
