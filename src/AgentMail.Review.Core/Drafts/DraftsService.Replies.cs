using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Drafts;

/// <summary>Follow-ups when the recipient answers: held for a person, cancelled, or left, as the inbox says.</summary>
public sealed partial class DraftsService
{
    public const string CancelledForReplyReason = "cancelled: the recipient replied";

    public static string HeldForReplyReason(string from, DateTime at) =>
        $"a reply from {from} arrived at {at.ToString(HeldForReplyTimeFormat, System.Globalization.CultureInfo.InvariantCulture)} UTC; held for a person";

    private const string HeldForReplyTimeFormat = "yyyy-MM-dd HH:mm:ss";

    /// <summary>Who replied and when, read back from a <see cref="HeldForReplyReason"/> (null for any other reason), so a reader can show the time in its own zone.</summary>
    public static (string From, DateTime At)? ReadHeldForReplyReason(string? reason)
    {
        const string prefix = "a reply from ", middle = " arrived at ", suffix = " UTC; held for a person";
        if (reason is null || !reason.StartsWith(prefix, StringComparison.Ordinal) || !reason.EndsWith(suffix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = reason[prefix.Length..^suffix.Length];
        var split = rest.LastIndexOf(middle, StringComparison.Ordinal);
        return split > 0 && DateTime.TryParseExact(rest[(split + middle.Length)..], HeldForReplyTimeFormat, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? (rest[..split], at)
            : null;
    }

    /// <summary>
    /// Applies the inbox's <see cref="Inbox.OnReply"/> to its drafts scheduled in the thread <paramref name="reply"/>
    /// joined. Runs inside the caller's transaction, under its hold on the write lock, so the reply and what it did to
    /// the follow-ups commit together: no follow-up can be claimed for sending between the two, and a claim or job for
    /// a version before the hold finds nothing. Drafts already sending are left alone. The caller publishes the returned
    /// changes after its commit (<see cref="PublishFollowUpChanges"/>).
    /// </summary>
    internal async Task<IReadOnlyList<DraftChange>> ApplyReplyToFollowUpsAsync(ReviewDbContext db, Inbox inbox, Message reply, DateTime now, CancellationToken ct)
    {
        if (inbox.OnReply == OnReplyPolicy.None)
        {
            return [];
        }

        var followUps = await db.Drafts
            .Where(d => d.InboxId == inbox.InboxId && d.ThreadId == reply.ThreadId && d.State == DraftState.Scheduled)
            .ToListAsync(ct);
        var changes = new List<DraftChange>();
        foreach (var draft in followUps)
        {
            var wasDueAt = draft.SendAt;
            if (inbox.OnReply == OnReplyPolicy.Cancel)
            {
                var attachmentIds = draft.Attachments.Select(a => a.AttachmentId).ToList();
                if (attachmentIds.Count > 0)
                {
                    await db.AttachmentContents.Where(c => attachmentIds.Contains(c.AttachmentId)).ExecuteDeleteAsync(ct);
                }

                db.Drafts.Remove(draft);
                db.AuditEntries.Add(Audit(draft, Actor.System, AuditActions.Deleted, now, new { reason = CancelledForReplyReason, message_id = reply.MessageId, send_at = wasDueAt }));
                AppendDeleted(db, draft, Actor.System, now, CancelledForReplyReason);
                changes.Add(new DraftChange(DraftChangeKind.Deleted, draft.DraftId, draft.InboxId, draft.Version, draft.State, wasDueAt, Actor.System, now));
            }
            else
            {
                draft.HoldForReply(HeldForReplyReason(reply.From, now));
                draft.UpdatedAt = now;
                draft.Version++;
                db.AuditEntries.Add(Audit(draft, Actor.System, AuditActions.HeldForReply, now, new { reason = draft.HeldReason, message_id = reply.MessageId, send_at = wasDueAt }));
                EventLog.AppendDraft(db, EventTypes.DraftUpdated, draft, Actor.System, now, draft.HeldReason, ["send_at"]);
                changes.Add(new DraftChange(DraftChangeKind.Updated, draft.DraftId, draft.InboxId, draft.Version, draft.State, draft.SendAt, Actor.System, now));
            }
        }

        return changes;
    }

    /// <summary>After the reply's commit: the console, the hub and the scheduler (which drops the held drafts' jobs) hear of it.</summary>
    internal void PublishFollowUpChanges(IReadOnlyList<DraftChange> changes)
    {
        foreach (var change in changes)
        {
            LogChanged(logger, change.DraftId, change.Kind == DraftChangeKind.Deleted ? CancelledForReplyReason : AuditActions.HeldForReply, Actor.System.ToString());
            feed.Publish(change);
        }
    }
}
