using System.Net;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Messages;

/// <summary>
/// <c>messages.forward</c>: the agent's words above the original, quoted the way mail clients quote a forward, with
/// the original's attachments. A forward starts a conversation of its own.
/// </summary>
public sealed class Forwarding(IDbContextFactory<ReviewDbContext> dbFactory)
{
    public async Task<NewDraft> DraftAsync(string inboxId, string messageId, NewDraft request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var original = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.MessageId == messageId && m.InboxId == inboxId, ct)
            ?? throw new NotFoundException($"message {messageId} not found in inbox {inboxId}");
        var ids = original.Attachments.Select(a => a.AttachmentId).ToList();
        var contents = await db.AttachmentContents.AsNoTracking().Where(c => ids.Contains(c.AttachmentId)).ToDictionaryAsync(c => c.AttachmentId, c => c.Data, ct);

        var header = $"---------- Forwarded message ---------\nFrom: {original.From}\nDate: {original.Timestamp:R}\nSubject: {original.Subject}\nTo: {string.Join(", ", original.To)}";
        var text = $"{request.Text}\n\n{header}\n\n{original.Text ?? Preview.Of(null, original.Html)}".TrimStart('\n');
        string? html = null;
        if (request.Html is not null || original.Html is not null)
        {
            var quoted = original.Html ?? $"<pre>{WebUtility.HtmlEncode(original.Text)}</pre>";
            html = $"{request.Html ?? (request.Text is null ? "" : $"<p>{WebUtility.HtmlEncode(request.Text)}</p>")}<br><div>{WebUtility.HtmlEncode(header).Replace("\n", "<br>")}</div><br>{quoted}";
        }

        var subject = request.Subject ?? (original.Subject is { } s && !s.StartsWith("Fwd:", StringComparison.OrdinalIgnoreCase) ? $"Fwd: {s}" : original.Subject);
        var kept = original.Attachments.Where(a => contents.ContainsKey(a.AttachmentId))
            .Select(a => new NewAttachment(a.Filename, a.ContentType, a.ContentDisposition, a.ContentId, contents[a.AttachmentId]));
        return request with { Subject = subject, Text = text, Html = html, Attachments = [.. kept, .. request.Attachments] };
    }
}
