using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Persistence;

namespace AgentMail.Review.Core.Drafts;

/// <summary>
/// Review-required inboxes (<see cref="Inbox.ReviewRequired"/>): nothing leaves them on an agent's word or by the
/// clock alone. A person may always send; a scheduled or agent-requested send needs a supervisor's approval of the
/// draft's current content.
/// </summary>
public static class ReviewRules
{
    /// <summary>Only people (supervisors in the console) send without an approval on record.</summary>
    public static bool NeedsApproval(Actor actor) => actor.Kind != ActorKind.Person;

    /// <summary>Drafts that may go out without a person: approved ones, or any in an inbox without review.</summary>
    public static IQueryable<Draft> SendableUnattended(this IQueryable<Draft> drafts, ReviewDbContext db) =>
        drafts.Where(d => d.ApprovedAt != null || !db.Inboxes.Any(i => i.InboxId == d.InboxId && i.ReviewRequired));

    /// <summary>
    /// Due and awaiting approval: scheduled, its time has come, and held because its inbox requires review. The
    /// console shows these so a supervisor approves (or reschedules) them; nothing retries them meanwhile.
    /// </summary>
    public static IQueryable<Draft> DueAwaitingApproval(this IQueryable<Draft> drafts, ReviewDbContext db, DateTime now) =>
        drafts.Where(d => d.State == DraftState.Scheduled && d.SendAt <= now && d.ApprovedAt == null
                          && db.Inboxes.Any(i => i.InboxId == d.InboxId && i.ReviewRequired));

    public static bool IsDueAwaitingApproval(Draft draft, Inbox inbox, DateTime now) =>
        draft.State == DraftState.Scheduled && draft.SendAt <= now && draft.ApprovedAt is null && inbox.ReviewRequired;
}
