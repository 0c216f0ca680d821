using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Web.Api;
using AgentMail.Review.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AgentMail.Review.Web.Inboxes;

/// <summary>AgentMail's <c>Inbox</c>. This server is one organisation, so every inbox is in the one pod.</summary>
public sealed record InboxResponse(string PodId, string InboxId, string Email, string? DisplayName, string? ClientId, bool ReviewRequired, DateTime UpdatedAt, DateTime CreatedAt)
{
    public const string OrganisationPod = "default";

    public static InboxResponse From(Inbox i) => new(OrganisationPod, i.InboxId, i.InboxId, i.DisplayName, i.ClientId, i.ReviewRequired, i.UpdatedAt, i.CreatedAt);
}

public sealed record ListInboxesResponse(int Count, int Limit, string? NextPageToken, IReadOnlyList<InboxResponse> Inboxes);

public sealed record CreateInboxRequest(string? Username, string? Domain, string? DisplayName, string? ClientId);

public static class InboxesApi
{
    private static readonly string[] CreateFields = ["username", "domain", "display_name", "client_id", "metadata"];

    public static IEndpointRouteBuilder MapInboxesApi(this IEndpointRouteBuilder routes)
    {
        var inboxes = routes.MapGroup("/v0/inboxes").WithTags("Inboxes").RequireAuthorization(AuthExtensions.AgentPolicy);
        inboxes.MapGet("/", List).ProducesApiErrors(400);
        inboxes.MapPost("/", Create).Accepts<CreateInboxRequest>("application/json").ProducesApiErrors(400, 403, 409);
        inboxes.MapGet("/{inbox_id}", Get).ProducesApiErrors(404);
        return routes;
    }

    private static async Task<Ok<ListInboxesResponse>> List(HttpContext context, InboxService inboxes, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var page = await inboxes.ListAsync(caller.Scope, ListParameters.Read(context.Request), ct);
        return TypedResults.Ok(new ListInboxesResponse(page.Items.Count, page.Limit, page.NextPageToken, page.Items.Select(InboxResponse.From).ToList()));
    }

    private static async Task<Ok<InboxResponse>> Create(HttpContext context, InboxService inboxes, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        if (!caller.Scope.IsOrganisationWide)
        {
            throw new ForbiddenException("an API key scoped to named inboxes cannot create inboxes");
        }

        var body = await JsonBody.ReadAsync(context.Request, CreateFields, ct);
        var request = new NewInbox(body.String("username"), body.String("domain"), body.String("display_name"), body.String("client_id"));
        body.ThrowIfErrors();
        return TypedResults.Ok(InboxResponse.From(await inboxes.CreateAsync(request, ct)));
    }

    private static async Task<Ok<InboxResponse>> Get([FromRoute(Name = "inbox_id")] string inboxId, HttpContext context, InboxService inboxes, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        return TypedResults.Ok(InboxResponse.From(await inboxes.GetAsync(caller.Scope, caller.Inbox(inboxId), ct)));
    }
}
