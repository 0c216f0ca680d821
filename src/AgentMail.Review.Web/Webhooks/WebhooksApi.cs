using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Webhooks;
using AgentMail.Review.Web.Api;
using AgentMail.Review.Web.Auth;
using AgentMail.Review.Web.Inboxes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AgentMail.Review.Web.Webhooks;

/// <summary>AgentMail's <c>Webhook</c>. This server is one organisation: every inbox is in the one pod.</summary>
public sealed record WebhookResponse(
    string WebhookId,
    string Url,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<string>? PodIds,
    IReadOnlyList<string>? InboxIds,
    string Secret,
    bool Enabled,
    DateTime UpdatedAt,
    DateTime CreatedAt,
    string? ClientId)
{
    public static WebhookResponse From(Webhook w) => new(
        w.WebhookId, w.Url, w.EventTypes, w.InboxIds.Count == 0 ? [InboxResponse.OrganisationPod] : null, w.InboxIds.Count == 0 ? null : w.InboxIds,
        w.Secret, w.Enabled, w.UpdatedAt, w.CreatedAt, w.ClientId);
}

public sealed record ListWebhooksResponse(int Count, int Limit, string? NextPageToken, IReadOnlyList<WebhookResponse> Webhooks);

/// <summary>Documents the create body (AgentMail's <c>CreateWebhookRequest</c>).</summary>
public sealed record CreateWebhookRequest(string Url, IReadOnlyList<string> EventTypes, IReadOnlyList<string>? InboxIds, IReadOnlyList<string>? PodIds, string? ClientId);

/// <summary>Documents the update body (AgentMail's <c>UpdateWebhookRequest</c>).</summary>
public sealed record UpdateWebhookRequest(IReadOnlyList<string>? EventTypes, IReadOnlyList<string>? AddInboxIds, IReadOnlyList<string>? RemoveInboxIds);

public static class WebhooksApi
{
    private static readonly string[] CreateFields = ["url", "event_types", "inbox_ids", "pod_ids", "client_id"];

    private static readonly string[] UpdateFields = ["event_types", "add_inbox_ids", "remove_inbox_ids", "add_pod_ids", "remove_pod_ids"];

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder routes)
    {
        var webhooks = routes.MapGroup("/v0/webhooks").WithTags("Webhooks").RequireAuthorization(AuthExtensions.AgentPolicy);
        webhooks.MapGet("/", List).ProducesApiErrors(400);
        webhooks.MapPost("/", Create).Accepts<CreateWebhookRequest>("application/json").ProducesApiErrors(400, 409);
        webhooks.MapGet("/{webhook_id}", Get).ProducesApiErrors(404);
        webhooks.MapPatch("/{webhook_id}", Update).Accepts<UpdateWebhookRequest>("application/json").ProducesApiErrors(400, 404);
        webhooks.MapDelete("/{webhook_id}", Delete).ProducesApiErrors(404);
        return routes;
    }

    private static async Task<Ok<ListWebhooksResponse>> List(HttpContext context, WebhookService webhooks, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var page = await webhooks.ListAsync(caller.Scope, ListParameters.Read(context.Request), ct);
        return TypedResults.Ok(new ListWebhooksResponse(page.Items.Count, page.Limit, page.NextPageToken, page.Items.Select(WebhookResponse.From).ToList()));
    }

    /// <summary>AgentMail's <c>webhooks.create</c>; the same <c>client_id</c> again answers the webhook it made.</summary>
    private static async Task<Ok<WebhookResponse>> Create(HttpContext context, WebhookService webhooks, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var body = await JsonBody.ReadAsync(context.Request, CreateFields, ct);
        var url = body.String("url");
        if (url is null)
        {
            body.Error("url", "is required");
        }

        if (!body.Has("event_types"))
        {
            body.Error("event_types", "is required");
        }

        CheckPods(body, "pod_ids");
        var request = new NewWebhook(url ?? "", body.Strings("event_types"), body.Strings("inbox_ids"), body.String("client_id"));
        body.ThrowIfErrors();
        return TypedResults.Ok(WebhookResponse.From(await webhooks.CreateAsync(caller.Scope, request, ct)));
    }

    private static async Task<Ok<WebhookResponse>> Get([FromRoute(Name = "webhook_id")] string webhookId, HttpContext context, WebhookService webhooks, CancellationToken ct) =>
        TypedResults.Ok(WebhookResponse.From(await webhooks.GetAsync(ApiCaller.From(context).Scope, webhookId, ct)));

    /// <summary>AgentMail's <c>webhooks.update</c>: <c>event_types</c> replaced, inboxes added and removed.</summary>
    private static async Task<Ok<WebhookResponse>> Update([FromRoute(Name = "webhook_id")] string webhookId, HttpContext context, WebhookService webhooks, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var body = await JsonBody.ReadAsync(context.Request, UpdateFields, ct);
        CheckPods(body, "add_pod_ids");
        CheckPods(body, "remove_pod_ids");
        var patch = new WebhookPatch
        {
            EventTypes = body.OptionalStrings("event_types").Or(null),
            AddInboxIds = body.Strings("add_inbox_ids"),
            RemoveInboxIds = body.Strings("remove_inbox_ids"),
        };
        body.ThrowIfErrors();
        return TypedResults.Ok(WebhookResponse.From(await webhooks.UpdateAsync(caller.Scope, webhookId, patch, ct)));
    }

    private static async Task<NoContent> Delete([FromRoute(Name = "webhook_id")] string webhookId, HttpContext context, WebhookService webhooks, CancellationToken ct)
    {
        await webhooks.DeleteAsync(ApiCaller.From(context).Scope, webhookId, ct);
        return TypedResults.NoContent();
    }

    /// <summary>There is one pod, the organisation; naming it is allowed, naming another is not.</summary>
    private static void CheckPods(JsonBody body, string field)
    {
        var pods = body.Strings(field);
        for (var i = 0; i < pods.Count; i++)
        {
            if (pods[i] != InboxResponse.OrganisationPod)
            {
                body.Error($"{field}[{i}]", $"pod {pods[i]} not found; this server has one pod, \"{InboxResponse.OrganisationPod}\"");
            }
        }
    }
}

public static class WebhooksExtensions
{
    public static IServiceCollection AddReviewWebhooks(this IServiceCollection services)
    {
        services.AddSingleton<Core.Events.IEventPayloads, Events.EventPayloads>();
        return services;
    }
}
