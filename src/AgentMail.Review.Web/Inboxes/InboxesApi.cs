using System.Text.Json;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Web.Api;
using AgentMail.Review.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AgentMail.Review.Web.Inboxes;

/// <summary>AgentMail's <c>Inbox</c>. This server is one organisation, so every inbox is in the one pod.</summary>
public sealed record InboxResponse(
    string PodId,
    string InboxId,
    string Email,
    string? DisplayName,
    string? ClientId,
    JsonElement? Metadata,
    bool ReviewRequired,
    string OnReply,
    DateTime UpdatedAt,
    DateTime CreatedAt)
{
    public const string OrganisationPod = "default";

    public static InboxResponse From(Inbox i) => new(
        OrganisationPod, i.InboxId, i.InboxId, i.DisplayName, i.ClientId, i.Metadata is null ? null : JsonSerializer.Deserialize<JsonElement>(i.Metadata),
        i.ReviewRequired, i.OnReply.ToString().ToLowerInvariant(), i.UpdatedAt, i.CreatedAt);
}

public sealed record ListInboxesResponse(int Count, int Limit, string? NextPageToken, IReadOnlyList<InboxResponse> Inboxes);

public sealed record CreateInboxRequest(string? Username, string? Domain, string? DisplayName, string? ClientId, IReadOnlyDictionary<string, JsonElement>? Metadata);

/// <summary>Documents the update body (AgentMail's <c>UpdateInboxRequest</c>).</summary>
public sealed record UpdateInboxRequest(string? DisplayName, IReadOnlyDictionary<string, JsonElement?>? Metadata);

public static class InboxesApi
{
    /// <summary>The inbox's policies: what an agent may do unreviewed, and what a reply does to its follow-ups.</summary>
    private static readonly string[] AdminOnlyFields = ["review_required", "on_reply"];

    private static readonly string[] CreateFields = ["username", "domain", "display_name", "client_id", "metadata"];

    private static readonly string[] UpdateFields = ["display_name", "metadata"];

    public static IEndpointRouteBuilder MapInboxesApi(this IEndpointRouteBuilder routes)
    {
        var inboxes = routes.MapGroup("/v0/inboxes").WithTags("Inboxes").RequireAuthorization(AuthExtensions.AgentPolicy);
        inboxes.MapGet("/", List).ProducesApiErrors(400);
        inboxes.MapPost("/", Create).Accepts<CreateInboxRequest>("application/json").ProducesApiErrors(400, 403, 409);
        inboxes.MapGet("/{inbox_id}", Get).ProducesApiErrors(404);
        inboxes.MapPatch("/{inbox_id}", Update).Accepts<UpdateInboxRequest>("application/json").ProducesApiErrors(400, 403, 404);
        inboxes.MapDelete("/{inbox_id}", Delete).ProducesApiErrors(403, 404, 409);
        return routes;
    }

    private static async Task<Ok<ListInboxesResponse>> List(HttpContext context, InboxService inboxes, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var page = await inboxes.ListAsync(caller.Scope, ListParameters.Read(context.Request), ct);
        return TypedResults.Ok(new ListInboxesResponse(page.Items.Count, page.Limit, page.NextPageToken, page.Items.Select(InboxResponse.From).ToList()));
    }

    /// <summary>AgentMail's <c>inboxes.create</c>; with no body (the SDK's <c>create()</c>) the username is generated.</summary>
    private static async Task<Ok<InboxResponse>> Create(HttpContext context, InboxService inboxes, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        if (!caller.Scope.IsOrganisationWide)
        {
            throw new ForbiddenException("an API key scoped to named inboxes cannot create inboxes");
        }

        var body = await JsonBody.ReadOptionalAsync(context.Request, CreateFields, ct);
        var request = new NewInbox(body.String("username"), body.String("domain"), body.String("display_name"), body.String("client_id"), body.OptionalObject("metadata").Or(null));
        body.ThrowIfErrors();
        return TypedResults.Ok(InboxResponse.From(await inboxes.CreateAsync(request, ct)));
    }

    private static async Task<Ok<InboxResponse>> Get([FromRoute(Name = "inbox_id")] string inboxId, HttpContext context, InboxService inboxes, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        return TypedResults.Ok(InboxResponse.From(await inboxes.GetAsync(caller.Scope, caller.Inbox(inboxId), ct)));
    }

    /// <summary>
    /// AgentMail's <c>inboxes.update</c>: <c>display_name</c> and <c>metadata</c> (merged; a key set to null is
    /// removed, <c>metadata: null</c> clears it). The review and on-reply policies are never changed with an API key:
    /// only an admin changes them, on <c>/admin</c>, so an agent cannot loosen the gate on its own inbox.
    /// </summary>
    private static async Task<Ok<InboxResponse>> Update([FromRoute(Name = "inbox_id")] string inboxId, HttpContext context, InboxService inboxes, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var inbox = caller.Inbox(inboxId);
        var body = await JsonBody.ReadOptionalAsync(context.Request, [.. UpdateFields, .. AdminOnlyFields], ct);
        if (AdminOnlyFields.FirstOrDefault(body.Has) is { } policy)
        {
            throw new ForbiddenException($"{policy}: an inbox's review and reply policies are changed only by an admin on /admin, never with an API key");
        }

        var patch = new InboxPatch { DisplayName = body.OptionalString("display_name"), Metadata = body.OptionalObject("metadata") };
        body.ThrowIfErrors();
        return TypedResults.Ok(InboxResponse.From(await inboxes.UpdateAsync(caller.Scope, inbox, patch, ct)));
    }

    /// <summary>
    /// AgentMail's <c>inboxes.delete</c>: the inbox with its drafts, messages and their attachments. 409 naming the
    /// drafts while any is scheduled or being sent.
    /// </summary>
    private static async Task<NoContent> Delete([FromRoute(Name = "inbox_id")] string inboxId, HttpContext context, InboxService inboxes, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        if (!caller.Scope.IsOrganisationWide)
        {
            throw new ForbiddenException("an API key scoped to named inboxes cannot delete inboxes");
        }

        await inboxes.DeleteAsync(caller.Actor, caller.Scope, caller.Inbox(inboxId), ct);
        return TypedResults.NoContent();
    }
}
