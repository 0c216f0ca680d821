using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Idempotency;
using AgentMail.Review.Core.Inboxes;
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
        inbox.MapPost("/{draft_id}/send", Send).Accepts<SendDraftRequest>("application/json").ProducesApiErrors(400, 404, 409, 422);

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

    /// <summary>
    /// AgentMail's <c>drafts.send</c>. Sent answers 200; accepted but not yet sent (held for review, being delivered,
    /// waiting for a retry) 202 with the Message-ID it will leave with; a failed or uncertain delivery 422, which the
    /// SDKs do not retry. Asking again, with or without <c>Idempotency-Key</c>, answers what became of the first.
    /// The body's <c>add_labels</c>/<c>remove_labels</c> go on the Message that results.
    /// </summary>
    private static async Task<Results<Ok<SendDraftResponse>, Accepted<SendDraftResponse>>> Send(
        [FromRoute(Name = "inbox_id")] string inboxId,
        [FromRoute(Name = "draft_id")] string draftId,
        HttpContext context,
        SendService sending,
        CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var inbox = caller.Inbox(inboxId);
        var body = await JsonBody.ReadBytesAsync(context.Request, ct);
        var labels = DraftRequests.ReadSend(body);
        var idempotency = IdempotencyHeader.Read(context.Request, $"{SendService.SendOperation} {inbox} {draftId}", body);
        var receipt = await sending.RequestAsync(new SendRequest(caller.Actor, caller.Scope, inbox, draftId, idempotency, labels), ct);
        return SendAnswers.For(receipt, $"/v0/inboxes/{inbox}/drafts/{draftId}");
    }

    private static Ok<ListDraftsResponse> ToList(Page<Draft> page) =>
        TypedResults.Ok(new ListDraftsResponse(page.Items.Count, page.Limit, page.NextPageToken, page.Items.Select(DraftItemResponse.From).ToList()));
}
