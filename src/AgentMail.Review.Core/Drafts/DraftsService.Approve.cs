using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Events;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Drafts;

public sealed partial class DraftsService
{
    /// <summary>
    /// A supervisor's approve-and-send: the draft is scheduled for <paramref name="sendAt"/> (now, or a few seconds
    /// ahead so the supervisor can still undo) and the approval is recorded. The send job does the rest.
    /// </summary>
    public async Task<Draft> ApproveAsync(Actor actor, string inboxId, string draftId, long expectedVersion, DateTime sendAt, CancellationToken ct = default)
    {
        if (actor.Kind != ActorKind.Person)
        {
            // An approval is a person's judgement; an agent approving its own draft would defeat review.
            throw new ForbiddenException("only a signed-in supervisor can approve a draft");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var draft = await FindDraftAsync(db, inboxId, draftId, ct);
        EnsureEditable(draft, expectedVersion, "approved");
        if (!draft.HasRecipients)
        {
            throw new ValidationException("to", "a draft needs at least one recipient before it can be sent");
        }

        var now = clock.UtcNowMs();
        var oldSendAt = draft.SendAt;
        draft.Approve(actor.DisplayName, now, ClockExtensions.TruncateToMs(sendAt));
        draft.UpdatedAt = now;
        draft.Version++;
        // What the approval was given to: the fields a person changed from the agent's version (none: the agent's words).
        db.AuditEntries.Add(Audit(draft, actor, AuditActions.Approved, now, new { from = oldSendAt, send_at = draft.SendAt, changed_from_agent = draft.ChangesFromAgentVersion() }));
        EventLog.AppendDraft(db, EventTypes.DraftApproved, draft, actor, now);
        await SaveOrConflictAsync(db, draft, ct);
        LogChanged(logger, draft.DraftId, AuditActions.Approved, actor.ToString());
        Publish(DraftChangeKind.Updated, draft, actor, now);
        return draft;
    }

    /// <summary>Takes an approval back while its send is still waiting: the draft returns to pending review.</summary>
    public async Task<Draft> UndoApprovalAsync(Actor actor, string inboxId, string draftId, long expectedVersion, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var draft = await FindDraftAsync(db, inboxId, draftId, ct);
        if (draft.State == DraftState.Sending)
        {
            throw new ConflictException($"draft {draftId} is already being sent; it can no longer be undone");
        }

        EnsureEditable(draft, expectedVersion, "changed");
        var now = clock.UtcNowMs();
        var requestedBy = draft.SendRequestedBy;
        draft.Schedule(null);
        draft.WithdrawApproval();
        if (requestedBy is not null)
        {
            // An agent's held send goes back to waiting for a person, still marked as asked for.
            draft.HoldSendRequest(requestedBy, now);
        }

        draft.UpdatedAt = now;
        draft.Version++;
        db.AuditEntries.Add(Audit(draft, actor, AuditActions.Unscheduled, now, new { reason = "approval undone" }));
        EventLog.AppendDraft(db, EventTypes.DraftUpdated, draft, actor, now, "approval undone", ["send_at"]);
        await SaveOrConflictAsync(db, draft, ct);
        Publish(DraftChangeKind.Updated, draft, actor, now);
        return draft;
    }

    /// <summary>
    /// A supervisor sends the draft back to its agent with a reason (AgentMail Inbox's "respond"): it leaves the schedule
    /// and the approval queue, and the reason is kept on the draft and in the audit for the agent to read.
    /// </summary>
    public async Task<Draft> RequestChangesAsync(Actor actor, string inboxId, string draftId, long expectedVersion, string reason, CancellationToken ct = default)
    {
        if (actor.Kind != ActorKind.Person)
        {
            throw new ForbiddenException("only a signed-in supervisor can request changes to a draft");
        }

        reason = reason?.Trim() ?? "";
        if (reason.Length == 0)
        {
            throw new ValidationException("reason", "say what the agent should change");
        }

        if (reason.Length > MaxChangesRequestedLength)
        {
            throw new ValidationException("reason", $"at most {MaxChangesRequestedLength} characters");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var draft = await FindDraftAsync(db, inboxId, draftId, ct);
        EnsureEditable(draft, expectedVersion, "sent back");
        var now = clock.UtcNowMs();
        var oldSendAt = draft.SendAt;
        draft.RequestChanges(actor.DisplayName, reason, now);
        draft.UpdatedAt = now;
        draft.Version++;
        db.AuditEntries.Add(Audit(draft, actor, AuditActions.ChangesRequested, now, new { reason, from = oldSendAt }));
        EventLog.AppendDraft(db, EventTypes.DraftChangesRequested, draft, actor, now, reason);
        await SaveOrConflictAsync(db, draft, ct);
        LogChanged(logger, draft.DraftId, AuditActions.ChangesRequested, actor.ToString());
        Publish(DraftChangeKind.Updated, draft, actor, now);
        return draft;
    }

    public const int MaxChangesRequestedLength = 2000;
}
