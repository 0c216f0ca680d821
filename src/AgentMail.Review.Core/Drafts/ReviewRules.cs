using System.Linq.Expressions;
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
    /// Due and awaiting approval: scheduled, its time has come, and held for a person. The console counts, filters and
    /// marks these so a supervisor approves (or reschedules) them; nothing retries them meanwhile. The one statement of
    /// the rule: the query, the queue's row projection and the in-memory check below are all made from it.
    /// </summary>
    private static readonly Expression<Func<Draft, DateTime, bool, bool>> AwaitingApprovalRule = (d, now, inboxRequiresReview) =>
        d.State == DraftState.Scheduled && d.SendAt <= now && d.ApprovedAt == null && (!d.AgentMaySend || inboxRequiresReview);

    private static readonly Func<Draft, DateTime, bool, bool> AwaitingApprovalCompiled = AwaitingApprovalRule.Compile();

    /// <summary><see cref="AwaitingApprovalRule"/> over the store: the inbox's review setting read in the same query.</summary>
    public static Expression<Func<Draft, bool>> DueAwaitingApprovalExpression(ReviewDbContext db, DateTime now)
    {
        var draft = AwaitingApprovalRule.Parameters[0];
        // Read through a captured variable so EF sends the time as a parameter and every call shares one query plan.
        Expression<Func<DateTime>> nowValue = () => now;
        Expression<Func<Draft, bool>> requiresReview = d => db.Inboxes.Any(i => i.InboxId == d.InboxId && i.ReviewRequired);
        var body = new Substitute(new Dictionary<ParameterExpression, Expression>
        {
            [AwaitingApprovalRule.Parameters[1]] = nowValue.Body,
            [AwaitingApprovalRule.Parameters[2]] = new Substitute(new Dictionary<ParameterExpression, Expression> { [requiresReview.Parameters[0]] = draft }).Visit(requiresReview.Body),
        }).Visit(AwaitingApprovalRule.Body);
        return Expression.Lambda<Func<Draft, bool>>(body, draft);
    }

    public static IQueryable<Draft> DueAwaitingApproval(this IQueryable<Draft> drafts, ReviewDbContext db, DateTime now) =>
        drafts.Where(DueAwaitingApprovalExpression(db, now));

    public static bool IsDueAwaitingApproval(Draft draft, Inbox inbox, DateTime now) => AwaitingApprovalCompiled(draft, now, inbox.ReviewRequired);

    /// <summary>
    /// A projection that needs to know whether a draft is due and awaiting approval: <paramref name="projection"/>'s
    /// second parameter becomes <see cref="AwaitingApprovalRule"/>, evaluated in the store.
    /// </summary>
    public static Expression<Func<Draft, T>> WithAwaitingApproval<T>(Expression<Func<Draft, bool, T>> projection, ReviewDbContext db, DateTime now)
    {
        var rule = DueAwaitingApprovalExpression(db, now);
        var draft = projection.Parameters[0];
        var awaiting = new Substitute(new Dictionary<ParameterExpression, Expression> { [rule.Parameters[0]] = draft }).Visit(rule.Body);
        var body = new Substitute(new Dictionary<ParameterExpression, Expression> { [projection.Parameters[1]] = awaiting }).Visit(projection.Body);
        return Expression.Lambda<Func<Draft, T>>(body, draft);
    }

    private sealed class Substitute(IReadOnlyDictionary<ParameterExpression, Expression> replacements) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) =>
            replacements.TryGetValue(node, out var replacement) ? replacement : base.VisitParameter(node);
    }
}
