using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Persistence;
using AgentMail.Review.Core.Threads;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace AgentMail.Review.Core.Drafts;

/// <summary>The draft's way out: hold, claim, complete, retry later, fail; and claims whose owner is gone.</summary>
public sealed partial class DraftsService
{
    /// <summary>What a claim cut off by a stopped process became, for a transport that delivers on commit.</summary>
    public const string InterruptedBeforeDeliveryReason = "interrupted before delivery; nothing was sent, so it goes out again";

    /// <summary>What a claim cut off by a stopped process became, for a transport whose server may already have it.</summary>
    public const string InterruptedUncertainReason =
        "delivery uncertain: interrupted during delivery, the mail server may have accepted it; check with the recipient before sending again";

    /// <summary>
    /// An agent's send where it may not send alone: the draft becomes due now and waits for a supervisor, marked as
    /// asked for. Asking again changes nothing.
    /// </summary>
    public async Task<Draft> HoldSendRequestAsync(Actor actor, string inboxId, string draftId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var draft = await FindDraftAsync(db, inboxId, draftId, ct);
        if (draft.SendRequestedAt is not null && draft.State == DraftState.Scheduled)
        {
            return draft;
        }

        EnsureEditable(draft, null, "sent");
        var now = clock.UtcNowMs();
        draft.HoldSendRequest(actor.DisplayName, now);
        draft.UpdatedAt = now;
        draft.Version++;
        db.AuditEntries.Add(Audit(draft, actor, AuditActions.SendRequested, now, new { held = "awaiting a supervisor's approval" }));
        EventLog.AppendDraft(db, EventTypes.DraftScheduled, draft, actor, now, "awaiting a supervisor's approval");
        await SaveOrConflictAsync(db, draft, ct);
        LogChanged(logger, draft.DraftId, AuditActions.SendRequested, actor.ToString());
        Publish(DraftChangeKind.Updated, draft, actor, now);
        return draft;
    }

    /// <summary>
    /// Claims the draft for delivery with one conditional update: only if it is still at
    /// <paramref name="expectedVersion"/>, pending or scheduled, and <paramref name="actor"/> may release it
    /// (<see cref="ReviewRules.ReleasableBy"/>). Exactly one of any number of racing claimers wins; the others get null.
    /// The claim names this instance and holds for <see cref="DeliveryOptions.ClaimLease"/>.
    /// </summary>
    /// <param name="dueBy">For a scheduled send: claim only a draft still scheduled for this time or earlier.</param>
    public async Task<Draft?> ClaimForSendingAsync(Actor actor, string draftId, long expectedVersion, string reason, CancellationToken ct = default, DateTime? dueBy = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.UtcNowMs();
        var draft = await commit.RunAsync(db, () => ClaimAsync(db, actor, draftId, expectedVersion, reason, dueBy, now, ct), ct);
        if (draft is not null)
        {
            Publish(DraftChangeKind.Updated, draft, actor, now);
        }

        return draft;
    }

    /// <summary>
    /// The scheduler's claim of several due drafts in one commit, each only at its own version and due by
    /// <paramref name="dueBy"/>, as <see cref="ClaimForSendingAsync"/> claims one: the claimable ones are read and then
    /// claimed by one conditional update. Where another claimer takes one of them in between (another instance on a
    /// shared store), the update claims fewer than were read; it is then undone and each is claimed on its own.
    /// Returns those claimed, in the order given.
    /// </summary>
    public async Task<IReadOnlyList<Draft>> ClaimDueForSendingAsync(IReadOnlyList<DueDraft> due, string reason, DateTime dueBy, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.UtcNowMs();
        IReadOnlyList<Draft> claimed;
        try
        {
            var ids = await commit.RunAsync(db, () => ClaimAllAsync(db, due, reason, dueBy, now, ct), ct);
            // Read after the commit, outside the write gate: a claimed draft changes only by its claimer's hand.
            var rows = await db.Drafts.AsNoTracking()
                .Where(d => ids.Contains(d.DraftId) && d.State == DraftState.Sending && d.ClaimedBy == instance.Id)
                .ToDictionaryAsync(d => d.DraftId, ct);
            claimed = due.Select(d => rows.GetValueOrDefault(d.DraftId)).OfType<Draft>().ToList();
        }
        catch (ClaimRaceLost)
        {
            db.ChangeTracker.Clear();
            var results = await commit.RunEachAsync(db, due, d => ClaimAsync(db, Actor.System, d.DraftId, d.Version, reason, dueBy, now, ct), ct);
            claimed = results.OfType<Draft>().ToList();
        }

        foreach (var draft in claimed)
        {
            Publish(DraftChangeKind.Updated, draft, Actor.System, now);
        }

        return claimed;
    }

    /// <summary>
    /// Records a delivered draft: its Message (and, for the Outbox, the recorded message itself) is written and the
    /// draft removed, in one transaction.
    /// </summary>
    public async Task<Message> CompleteSendAsync(Actor actor, Transmission sent, CancellationToken ct = default) =>
        (await CompleteSendsAsync(actor, [sent], ct))[0];

    /// <summary>Several delivered drafts recorded in one commit, as <see cref="CompleteSendAsync"/> records one; all or none.</summary>
    public async Task<IReadOnlyList<Message>> CompleteSendsAsync(Actor actor, IReadOnlyList<Transmission> sent, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.UtcNowMs();
        var messages = await commit.RunAsync(db, () => RecordSentAsync(db, actor, sent, now, ct), ct);
        foreach (var one in sent)
        {
            AnnounceSent(actor, one, now);
        }

        return messages;
    }

    private async Task<Draft?> ClaimAsync(ReviewDbContext db, Actor actor, string draftId, long expectedVersion, string reason, DateTime? dueBy, DateTime now, CancellationToken ct)
    {
        var candidate = db.Drafts
            .Where(d => d.DraftId == draftId && d.Version == expectedVersion && (d.State == DraftState.Pending || d.State == DraftState.Scheduled))
            .ReleasableBy(actor, db);
        if (dueBy is { } due)
        {
            candidate = candidate.Where(d => d.State == DraftState.Scheduled && d.SendAt <= due);
        }

        if (await candidate.ExecuteUpdateAsync(set => SetClaim(set, actor, now), ct) == 0)
        {
            return null;
        }

        var draft = await db.Drafts.AsNoTracking().FirstAsync(d => d.DraftId == draftId, ct);
        db.AuditEntries.Add(Audit(draft, actor, AuditActions.Sending, now, new { reason, attempt = draft.DeliveryAttempts + 1 }));
        return draft;
    }

    /// <summary>The batch's claim itself: the ids of the drafts it claimed.</summary>
    private async Task<IReadOnlyList<string>> ClaimAllAsync(ReviewDbContext db, IReadOnlyList<DueDraft> due, string reason, DateTime dueBy, DateTime now, CancellationToken ct)
    {
        var claimable = db.Drafts
            .AtVersions(due.Select(d => (d.DraftId, d.Version)))
            .Where(d => d.State == DraftState.Scheduled && d.SendAt <= dueBy)
            .ReleasableBy(Actor.System, db);
        var found = await claimable.Select(d => new { d.DraftId, d.InboxId, d.DeliveryAttempts }).ToListAsync(ct);
        if (found.Count == 0)
        {
            return [];
        }

        var ids = found.Select(d => d.DraftId).ToList();
        if (await claimable.Where(d => ids.Contains(d.DraftId)).ExecuteUpdateAsync(set => SetClaim(set, Actor.System, now), ct) != found.Count)
        {
            throw new ClaimRaceLost();
        }

        foreach (var draft in found)
        {
            db.AuditEntries.Add(Audit(draft.DraftId, draft.InboxId, Actor.System, AuditActions.Sending, now, new { reason, attempt = draft.DeliveryAttempts + 1 }));
        }

        return ids;
    }

    /// <summary>What a claim writes: "sending", by this instance, for the lease.</summary>
    private void SetClaim(UpdateSettersBuilder<Draft> set, Actor actor, DateTime now)
    {
        var leaseEnds = now + deliveryOptions.Value.ClaimLease;
        // An agent that may send and sends it answers for it from here on, also for a retry the scheduler makes.
        var answersForIt = ReviewRules.MaySendAlone(actor);
        set.SetProperty(d => d.State, DraftState.Sending)
            .SetProperty(d => d.ClaimedBy, instance.Id)
            .SetProperty(d => d.ClaimExpiresAt, leaseEnds)
            .SetProperty(d => d.AgentMaySend, d => d.AgentMaySend || answersForIt)
            .SetProperty(d => d.Version, d => d.Version + 1)
            .SetProperty(d => d.UpdatedAt, now);
    }

    /// <summary>A batch's claim that found fewer drafts to update than it had read: it is undone, and each claimed alone.</summary>
    private sealed class ClaimRaceLost : Exception;

    /// <summary>
    /// The drafts' claims end and their Messages take their place: the drafts removed by one statement (only as their
    /// claims left them), then the messages, their threads, audit entries and events added.
    /// </summary>
    private static async Task<IReadOnlyList<Message>> RecordSentAsync(ReviewDbContext db, Actor actor, IReadOnlyList<Transmission> sent, DateTime now, CancellationToken ct)
    {
        var removed = await OwnClaims(db, sent.Select(s => s.Claimed).ToList()).ExecuteDeleteAsync(ct);
        if (removed != sent.Count)
        {
            // Only the claimer moves a draft out of "sending", so this means the store was changed by hand.
            throw new ConflictException(sent.Count == 1
                ? $"draft {sent[0].Claimed.DraftId} is no longer claimed for sending"
                : $"only {removed} of the {sent.Count} drafts being recorded are still claimed for sending");
        }

        var messages = sent.Select(one => MessageFor(actor, one, now)).ToList();
        db.Messages.AddRange(messages);
        db.MessageMimes.AddRange(sent.Select(one => new MessageMime { MessageId = one.MessageId, Mime = one.Mime }));
        db.Outbox.AddRange(sent.Select(one => one.Recorded).OfType<OutboxEntry>());
        var byMessage = sent.ToDictionary(one => one.MessageId);
        await ThreadLedger.RecordAsync(db, messages, (message, thread) =>
        {
            var one = byMessage[message.MessageId];
            db.AuditEntries.Add(Audit(one.Claimed, actor, AuditActions.Sent, now, new { message_id = message.MessageId }));
            var recipients = (IReadOnlyList<string>)[.. message.To, .. message.Cc, .. message.Bcc];
            EventLog.AppendDraft(db, EventTypes.DraftSent, one.Claimed, actor, now, messageId: message.MessageId);
            EventLog.Append(db, EventTypes.MessageSent, message.InboxId, now, new EventFacts { Message = message, Thread = thread, Actor = EventActor.Of(actor), Recipients = recipients });
            if (one.Recorded is null)
            {
                // Only a mail server's acceptance is a delivery; the Outbox keeps the message on this machine.
                EventLog.Append(db, EventTypes.MessageDelivered, message.InboxId, now, new EventFacts { Message = message, Recipients = recipients });
            }
        }, ct);

        return messages;
    }

    private static Message MessageFor(Actor actor, Transmission sent, DateTime now)
    {
        var claimed = sent.Claimed;
        return new Message
        {
            MessageId = sent.MessageId,
            ThreadId = claimed.ThreadId,
            InboxId = claimed.InboxId,
            DraftId = claimed.DraftId,
            From = sent.From,
            To = claimed.To,
            Cc = claimed.Cc,
            Bcc = claimed.Bcc,
            ReplyTo = claimed.ReplyTo,
            Labels = [Message.SentLabel, .. claimed.Labels.Where(l => l != Draft.ScheduledLabel)],
            Subject = claimed.Subject,
            Text = claimed.Text,
            Html = claimed.Html,
            Preview = claimed.Preview,
            InReplyTo = claimed.InReplyTo,
            References = claimed.References,
            Attachments = claimed.Attachments.Select(a => new AttachmentInfo
            {
                AttachmentId = a.AttachmentId,
                Filename = a.Filename,
                ContentType = a.ContentType,
                ContentDisposition = a.ContentDisposition,
                ContentId = a.ContentId,
                Size = a.Size,
            }).ToList(),
            Size = sent.Mime.LongLength,
            Timestamp = now,
            CreatedAt = now,
            UpdatedAt = now,
            // Who let it go: the supervisor who approved it, else whoever sent it (an agent's key).
            SentBy = claimed.ApprovedBy ?? actor.DisplayName,
        };
    }

    private void AnnounceSent(Actor actor, Transmission sent, DateTime now)
    {
        var claimed = sent.Claimed;
        LogChanged(logger, claimed.DraftId, AuditActions.Sent, actor.ToString());
        feed.Publish(new DraftChange(DraftChangeKind.Sent, claimed.DraftId, claimed.InboxId, claimed.Version + 1, DraftState.Sending, claimed.SendAt, actor, now, sent.MessageId));
    }

    /// <summary>Moves a claimed draft to <see cref="DraftState.Failed"/>, keeping the reason for a person to read.</summary>
    /// <param name="notice">What else the agent hears: <c>message.bounced</c> when the mail server refused the recipients
    /// or the message, <c>message.rejected</c> when it could not be sent at all (no recipients, a server that cannot be used).</param>
    public async Task MarkFailedAsync(Actor actor, Draft claimed, string reason, CancellationToken ct = default, FailureNotice notice = FailureNotice.None)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.UtcNowMs();
        var failed = await commit.RunAsync(db, async () =>
        {
            var updated = await OwnClaim(db, claimed).ExecuteUpdateAsync(set => set
                .SetProperty(d => d.State, DraftState.Failed)
                .SetProperty(d => d.FailureReason, reason)
                .SetProperty(d => d.ClaimedBy, (string?)null)
                .SetProperty(d => d.ClaimExpiresAt, (DateTime?)null)
                .SetProperty(d => d.Version, d => d.Version + 1)
                .SetProperty(d => d.UpdatedAt, now), ct);
            if (updated > 0)
            {
                db.AuditEntries.Add(Audit(claimed, actor, AuditActions.Failed, now, new { reason }));
                var failedDraft = await db.Drafts.AsNoTracking().FirstAsync(d => d.DraftId == claimed.DraftId, ct);
                EventLog.AppendDraft(db, EventTypes.DraftFailed, failedDraft, actor, now, reason);
                var messageId = MimeMessageFactory.MessageIdFor(claimed.DraftId, claimed.InboxId);
                if (notice == FailureNotice.Bounced)
                {
                    EventLog.Append(db, EventTypes.MessageBounced, claimed.InboxId, now,
                        new EventFacts { Draft = failedDraft, Actor = EventActor.Of(actor), Reason = reason, Recipients = [.. claimed.To, .. claimed.Cc, .. claimed.Bcc] }, messageId);
                }
                else if (notice == FailureNotice.Rejected)
                {
                    EventLog.Append(db, EventTypes.MessageRejected, claimed.InboxId, now,
                        new EventFacts { Draft = failedDraft, Actor = EventActor.Of(actor), Reason = reason }, messageId);
                }
            }

            return updated > 0;
        }, ct);

        if (failed)
        {
            LogFailed(logger, claimed.DraftId, reason);
            feed.Publish(new DraftChange(DraftChangeKind.Updated, claimed.DraftId, claimed.InboxId, claimed.Version + 1, DraftState.Failed, claimed.SendAt, actor, now));
        }
    }

    /// <summary>
    /// A transient failure: the claim is given up and the draft scheduled again at <paramref name="retryAt"/>, so the
    /// wait holds no worker and survives a restart. The reason shows meanwhile.
    /// </summary>
    public async Task<Draft?> RetryLaterAsync(Actor actor, Draft claimed, DateTime retryAt, string reason, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.UtcNowMs();
        var draft = await commit.RunAsync(db, async () =>
        {
            var draft = await OwnClaim(db, claimed).FirstOrDefaultAsync(ct);
            if (draft is null)
            {
                return null;
            }

            draft.ScheduleRetry(ClockExtensions.TruncateToMs(retryAt), reason);
            draft.UpdatedAt = now;
            draft.Version++;
            db.AuditEntries.Add(Audit(draft, actor, AuditActions.RetryScheduled, now, new { reason, send_at = draft.SendAt, attempts = draft.DeliveryAttempts }));
            EventLog.AppendDraft(db, EventTypes.DraftScheduled, draft, actor, now, reason);
            return draft;
        }, ct);

        if (draft is not null)
        {
            Publish(DraftChangeKind.Updated, draft, actor, now);
        }

        return draft;
    }

    /// <summary>
    /// Claims whose delivery is no longer running: those of instances that are gone (<see cref="IClaimOwners"/>; for
    /// SQLite, every instance but this one), and any claim past its lease. A live instance's claim within its lease is
    /// its delivery in progress and is never touched. Where the transport delivers on commit, such a draft certainly
    /// went nowhere and is scheduled again at once; otherwise the server may have it, so it becomes failed, "delivery
    /// uncertain", for a person to decide.
    /// </summary>
    public async Task<int> ResolveAbandonedClaimsAsync(bool deliversOnCommit, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.UtcNowMs();
        var claims = await db.Drafts.AsNoTracking().Where(d => d.State == DraftState.Sending).ToListAsync(ct);
        var otherOwners = claims.Select(d => d.ClaimedBy).OfType<string>().Where(o => o != instance.Id).Distinct().ToList();
        var gone = await claimOwners.GoneAsync(otherOwners, ct);
        var abandoned = claims.Where(d => d.ClaimedBy is null || gone.Contains(d.ClaimedBy) || d.ClaimExpiresAt < now).ToList();
        foreach (var claimed in abandoned)
        {
            if (deliversOnCommit)
            {
                await RetryLaterAsync(Actor.System, claimed, now, InterruptedBeforeDeliveryReason, ct);
            }
            else
            {
                await MarkFailedAsync(Actor.System, claimed, InterruptedUncertainReason, ct);
            }
        }

        return abandoned.Count;
    }

    /// <summary>The draft as the claimer left it: only the claim's own owner moves it out of "sending".</summary>
    private static IQueryable<Draft> OwnClaim(ReviewDbContext db, Draft claimed) =>
        db.Drafts.Where(d => d.DraftId == claimed.DraftId && d.Version == claimed.Version && d.State == DraftState.Sending && d.ClaimedBy == claimed.ClaimedBy);

    /// <summary>Several drafts as their claims left them, as <see cref="OwnClaim"/> matches one; all of one claimer.</summary>
    private static IQueryable<Draft> OwnClaims(ReviewDbContext db, IReadOnlyList<Draft> claimed)
    {
        var claimer = claimed[0].ClaimedBy;
        if (claimed.Any(d => d.ClaimedBy != claimer))
        {
            throw new InvalidOperationException("a batch of sends is recorded by the instance that claimed them all");
        }

        return db.Drafts.AtVersions(claimed.Select(d => (d.DraftId, d.Version))).Where(d => d.State == DraftState.Sending && d.ClaimedBy == claimer);
    }
}
