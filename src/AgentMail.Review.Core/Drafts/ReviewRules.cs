using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Persistence;

namespace AgentMail.Review.Core.Drafts;

/// <summary>
/// The human gate, in one place. A draft leaves without a person only when its inbox does not require review
/// (<see cref="Inbox.ReviewRequired"/>) and whoever last wrote or scheduled it is an agent whose key may send
/// (<see cref="Draft.AgentMaySend"/>); otherwise it leaves only with a supervisor's approval of its current content.
/// </summary>
public static class ReviewRules
{
    /// <summary>An agent whose key may send: its own sends and schedules need no person where review is off.</summary>
    public static bool MaySendAlone(Actor actor) => actor.Kind == ActorKind.Agent && actor.MaySend;

    /// <summary>Whether this agent's send of a draft in this inbox goes out now, rather than being held for review.</summary>
    public static bool SendsWithoutReview(Actor actor, Inbox inbox) => MaySendAlone(actor) && !inbox.ReviewRequired;

    /// <summary>Drafts the scheduler may send by itself: approved ones, or a permitted agent's in an inbox without review.</summary>
    public static IQueryable<Draft> SendableUnattended(this IQueryable<Draft> drafts, ReviewDbContext db) =>
        drafts.Where(d => d.ApprovedAt != null
                          || (d.AgentMaySend && !db.Inboxes.Any(i => i.InboxId == d.InboxId && i.ReviewRequired)));

    /// <summary>What <paramref name="actor"/> may claim for delivery: a permitted agent sends where review is off.</summary>
    public static IQueryable<Draft> ReleasableBy(this IQueryable<Draft> drafts, Actor actor, ReviewDbContext db) =>
        MaySendAlone(actor)
            ? drafts.Where(d => !db.Inboxes.Any(i => i.InboxId == d.InboxId && i.ReviewRequired))
            : drafts.SendableUnattended(db);

    /// <summary>
    /// Due and awaiting approval: scheduled, its time has come, and held for a person. The console shows these so a
    /// supervisor approves (or reschedules) them; nothing retries them meanwhile.
    /// </summary>
    public static IQueryable<Draft> DueAwaitingApproval(this IQueryable<Draft> drafts, ReviewDbContext db, DateTime now) =>
        drafts.Where(d => d.State == DraftState.Scheduled && d.SendAt <= now && d.ApprovedAt == null
                          && (!d.AgentMaySend || db.Inboxes.Any(i => i.InboxId == d.InboxId && i.ReviewRequired)));

    public static bool IsDueAwaitingApproval(Draft draft, Inbox inbox, DateTime now) =>
        draft.State == DraftState.Scheduled && draft.SendAt <= now && draft.ApprovedAt is null && (!draft.AgentMaySend || inbox.ReviewRequired);
}
