using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Threads;
using AgentMail.Review.Web.Api;
using AgentMail.Review.Web.Auth;
using AgentMail.Review.Web.Drafts;
using AgentMail.Review.Web.Inboxes;
using AgentMail.Review.Web.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using AgentMail.Review.Core.Inboxes;

namespace AgentMail.Review.Web.Threads;

/// <summary>AgentMail's <c>ThreadItem</c>: a list row.</summary>
public sealed record ThreadItemResponse(
    string InboxId,
    string ThreadId,
    IReadOnlyList<string> Labels,
    DateTime Timestamp,
    DateTime? ReceivedTimestamp,
    DateTime? SentTimestamp,
    IReadOnlyList<string> Senders,
    IReadOnlyList<string> Recipients,
    string? Subject,
    string? Preview,
    string? LastMessageId,
    int MessageCount,
    long Size,
    DateTime UpdatedAt,
    DateTime CreatedAt)
{
    public static ThreadItemResponse From(MailThread t) => new(
        t.InboxId, t.ThreadId, t.Labels, t.Timestamp, t.ReceivedTimestamp, t.SentTimestamp, t.Senders, t.Recipients, t.Subject, t.Preview,
        t.LastMessageId, t.MessageCount, t.Size, t.UpdatedAt, t.CreatedAt);
}

/// <summary>AgentMail's <c>Thread</c>: the row's fields, its attachments and its messages, oldest first.</summary>
public sealed record ThreadResponse(
    string InboxId,
    string ThreadId,
    IReadOnlyList<string> Labels,
    DateTime Timestamp,
    DateTime? ReceivedTimestamp,
    DateTime? SentTimestamp,
    IReadOnlyList<string> Senders,
    IReadOnlyList<string> Recipients,
    string? Subject,
    string? Preview,
    IReadOnlyList<AttachmentResponse>? Attachments,
    string? LastMessageId,
    int MessageCount,
    long Size,
    DateTime UpdatedAt,
    DateTime CreatedAt,
    IReadOnlyList<MessageResponse> Messages)
{
    public static ThreadResponse From(ThreadWithMessages found)
    {
        var t = found.Thread;
        var attachments = found.Messages.SelectMany(m => m.Attachments).Select(AttachmentResponse.From).ToList();
        return new(t.InboxId, t.ThreadId, t.Labels, t.Timestamp, t.ReceivedTimestamp, t.SentTimestamp, t.Senders, t.Recipients, t.Subject, t.Preview,
            attachments.Count == 0 ? null : attachments, t.LastMessageId, t.MessageCount, t.Size, t.UpdatedAt, t.CreatedAt,
            found.Messages.Select(m => MessageResponse.Of(m, withBodies: true)).ToList());
    }
}

public sealed record ListThreadsResponse(int Count, int Limit, string? NextPageToken, IReadOnlyList<ThreadItemResponse> Threads);

public sealed record UpdateThreadResponse(string ThreadId, IReadOnlyList<string> Labels);

/// <summary>AgentMail v0 threads: per inbox, and organisation-wide.</summary>
public static class ThreadsApi
{
    public static IEndpointRouteBuilder MapThreadsApi(this IEndpointRouteBuilder routes)
    {
        var inbox = routes.MapGroup("/v0/inboxes/{inbox_id}/threads").WithTags("Threads").RequireAuthorization(AuthExtensions.AgentPolicy);
        inbox.MapGet("/", ListInInbox).ProducesApiErrors(400, 404);
        inbox.MapGet("/{thread_id}", (string inbox_id, string thread_id, HttpContext context, ThreadQueries threads, CancellationToken ct) =>
            Get(InboxOf(context, inbox_id), thread_id, context, threads, ct)).ProducesApiErrors(404);
        inbox.MapPatch("/{thread_id}", (string inbox_id, string thread_id, HttpContext context, ThreadService threads, CancellationToken ct) =>
            Update(InboxOf(context, inbox_id), thread_id, context, threads, ct)).ProducesApiErrors(400, 404);
        inbox.MapDelete("/{thread_id}", (string inbox_id, string thread_id, HttpContext context, ThreadService threads, CancellationToken ct) =>
            Delete(InboxOf(context, inbox_id), thread_id, context, threads, ct)).ProducesApiErrors(404, 409);

        var organisation = routes.MapGroup("/v0/threads").WithTags("Threads").RequireAuthorization(AuthExtensions.AgentPolicy);
        organisation.MapGet("/", ListAll).ProducesApiErrors(400);
        organisation.MapGet("/{thread_id}", (string thread_id, HttpContext context, ThreadQueries threads, CancellationToken ct) =>
            Get(null, thread_id, context, threads, ct)).ProducesApiErrors(404);
        organisation.MapPatch("/{thread_id}", (string thread_id, HttpContext context, ThreadService threads, CancellationToken ct) =>
            Update(null, thread_id, context, threads, ct)).ProducesApiErrors(400, 404);
        organisation.MapDelete("/{thread_id}", (string thread_id, HttpContext context, ThreadService threads, CancellationToken ct) =>
            Delete(null, thread_id, context, threads, ct)).ProducesApiErrors(404, 409);
        return routes;
    }

    private static string InboxOf(HttpContext context, string inboxId) => ApiCaller.From(context).Inbox(inboxId);

    private static async Task<Ok<ListThreadsResponse>> ListInInbox([FromRoute(Name = "inbox_id")] string inboxId, HttpContext context, InboxService inboxes, ThreadQueries threads, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        var inbox = await inboxes.GetAsync(caller.Scope, caller.Inbox(inboxId), ct);
        return ToList(await threads.ListAsync(caller.Scope, inbox.InboxId, ListParameters.Read(context.Request), ct));
    }

    private static async Task<Ok<ListThreadsResponse>> ListAll(HttpContext context, ThreadQueries threads, CancellationToken ct)
    {
        var caller = ApiCaller.From(context);
        return ToList(await threads.ListAsync(caller.Scope, null, ListParameters.Read(context.Request), ct));
    }

    private static async Task<Ok<ThreadResponse>> Get(string? inboxId, string threadId, HttpContext context, ThreadQueries threads, CancellationToken ct) =>
        TypedResults.Ok(ThreadResponse.From(await threads.GetAsync(ApiCaller.From(context).Scope, inboxId, threadId, ct)));

    private static async Task<Ok<UpdateThreadResponse>> Update(string? inboxId, string threadId, HttpContext context, ThreadService threads, CancellationToken ct)
    {
        var (add, remove) = await MessageRequests.ReadLabelsAsync(context.Request, ct);
        var thread = await threads.UpdateLabelsAsync(ApiCaller.From(context).Scope, inboxId, threadId, add, remove, ct);
        return TypedResults.Ok(new UpdateThreadResponse(thread.ThreadId, thread.Labels));
    }

    private static async Task<NoContent> Delete(string? inboxId, string threadId, HttpContext context, ThreadService threads, CancellationToken ct)
    {
        await threads.DeleteAsync(ApiCaller.From(context).Scope, inboxId, threadId, ct);
        return TypedResults.NoContent();
    }

    private static Ok<ListThreadsResponse> ToList(Page<MailThread> page) =>
        TypedResults.Ok(new ListThreadsResponse(page.Items.Count, page.Limit, page.NextPageToken, page.Items.Select(ThreadItemResponse.From).ToList()));
}
