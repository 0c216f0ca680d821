using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Auth;

namespace AgentMail.Review.Web.Console;

public static class ConsoleAttachments
{
    /// <summary>Attachment downloads for people reading a draft in the console.</summary>
    public static IEndpointRouteBuilder MapConsoleAttachments(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/console/drafts/{draftId}/attachments/{attachmentId}", async (string draftId, string attachmentId, DraftQueries queries, CancellationToken ct) =>
        {
            try
            {
                var draft = await queries.GetAsync(AccessScope.Organisation, null, draftId, ct);
                var content = await queries.GetAttachmentAsync(AccessScope.Organisation, null, draftId, attachmentId, ct);
                var info = draft.Attachments.First(a => a.AttachmentId == attachmentId);
                // Always a download: an attachment from an agent is never rendered inside the console's origin.
                return Results.File(content.Data, "application/octet-stream", info.Filename ?? attachmentId);
            }
            catch (NotFoundException)
            {
                return Results.NotFound();
            }
        }).RequireAuthorization(ReviewPolicies.Viewer).ExcludeFromDescription();
        return routes;
    }
}
