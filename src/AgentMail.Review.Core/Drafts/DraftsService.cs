using System.Text.Json;
using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Persistence;
using AgentMail.Review.Core.Threads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Drafts;

/// <summary>
/// The one doorway: every change to a draft, from the API, the console or a job, passes through here. Each method
/// validates, applies the state rules, checks the version, writes the row, its audit entry and its event in one
/// transaction (<see cref="StoreCommit"/>), and publishes one change after the commit (a wake-up for the scheduler and
/// the consoles).
/// </summary>
public sealed partial class DraftsService(
    IDbContextFactory<ReviewDbContext> dbFactory,
    StoreCommit commit,
    DraftValidator validator,
    DraftChangeFeed feed,
    SendingInstance instance,
    IClaimOwners claimOwners,
    IOptions<DeliveryOptions> deliveryOptions,
    TimeProvider clock,
    ILogger<DraftsService> logger)
{

    public async Task<Draft> CreateAsync(Actor actor, string inboxId, NewDraft request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var inbox = await FindInboxAsync(db, inboxId, ct);
        var now = clock.UtcNowMs();

        if (request.ClientId is not null)
        {
            var existing = await db.Drafts.AsNoTracking()
                .FirstOrDefaultAsync(d => d.InboxId == inbox.InboxId && d.ClientId == request.ClientId, ct);
            if (existing is not null)
            {
                return existing;
            }
        }

        var errors = new DraftValidator.Errors();
        Message? repliedTo = null;
        if (request.InReplyTo is not null)
        {
            DraftValidator.CheckHeaderText(errors, "in_reply_to", request.InReplyTo);
            repliedTo = await db.Messages.AsNoTracking()
                .FirstOrDefaultAsync(m => m.MessageId == request.InReplyTo && m.InboxId == inbox.InboxId, ct)
                ?? await HeldOriginalAsync(db, inbox.InboxId, request.InReplyTo, ct);
            if (repliedTo is null)
            {
                errors.Add("in_reply_to", $"no message \"{request.InReplyTo}\" in inbox {inbox.InboxId} to reply to");
            }
        }

        if (request.ReplyAll && request.InReplyTo is null)
        {
            errors.Add("reply_all", "needs in_reply_to");
        }

        if (request.ReplyAll && (request.To.Count + request.Cc.Count + request.Bcc.Count) > 0)
        {
            errors.Add("reply_all", "cannot be combined with to, cc or bcc");
        }

        var to = request.To.ToList();
        var cc = request.Cc.ToList();
        var subject = request.Subject;
        var references = new List<string>();
        if (repliedTo is not null)
        {
            if (to.Count == 0 && cc.Count == 0 && request.Bcc.Count == 0)
            {
                (to, cc) = ReplyRecipients(repliedTo, inbox.InboxId, request.ReplyAll);
            }

            subject ??= repliedTo.Subject is null ? null
                : repliedTo.Subject.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? repliedTo.Subject : $"Re: {repliedTo.Subject}";
            references = [.. repliedTo.References, repliedTo.MessageId];
        }

        CheckContent(errors, to, cc, request.Bcc, request.ReplyTo, subject, request.Text, request.Html);
        validator.CheckLabels(errors, "labels", request.Labels);
        validator.CheckAttachments(errors, "attachments", request.Attachments, 0, 0);
        if (request.ClientId is not null)
        {
            DraftValidator.CheckHeaderText(errors, "client_id", request.ClientId);
        }

        CheckSendAt(errors, request.SendAt, now);

        errors.ThrowIfAny();

        var draft = new Draft
        {
            DraftId = request.DraftId ?? Ids.New(),
            InboxId = inbox.InboxId,
            ClientId = request.ClientId,
            ThreadId = repliedTo?.ThreadId ?? Ids.New(),
            To = to,
            Cc = cc,
            Bcc = [.. request.Bcc],
            ReplyTo = [.. request.ReplyTo],
            Labels = request.Labels.Select(l => l.Trim()).Where(l => l != Draft.ScheduledLabel).Distinct().ToList(),
            Subject = subject,
            Text = request.Text,
            Html = request.Html,
            Preview = Preview.Of(request.Text, request.Html),
            InReplyTo = repliedTo?.MessageId,
            References = references,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
            AgentMaySend = ReviewRules.MaySendAlone(actor),
        };
        draft.Attachments = AttachmentRows.Add(db, request.Attachments);
        draft.Schedule(request.SendAt);
        if (actor.Kind == ActorKind.Agent)
        {
            draft.KeepAsAgentVersion();
        }

        db.Drafts.Add(draft);
        await ThreadLedger.EnsureAsync(db, draft.ThreadId, draft.InboxId, draft.Subject, now, ct);
        db.AuditEntries.Add(Audit(draft, actor, AuditActions.Created, now, new { send_at = draft.SendAt }));
        EventLog.AppendDraft(db, EventTypes.DraftCreated, draft, actor, now);
        if (draft.SendAt is not null)
        {
            db.AuditEntries.Add(Audit(draft, actor, AuditActions.Scheduled, now, new { send_at = draft.SendAt }));
            EventLog.AppendDraft(db, EventTypes.DraftScheduled, draft, actor, now);
        }

        try
        {
            await commit.SaveAsync(db, ct);
        }
        catch (DbUpdateException) when (request.ClientId is not null)
        {
            // Two creates with one client_id raced; the first one's draft is the answer to both.
            await using var fresh = await dbFactory.CreateDbContextAsync(ct);
            return await fresh.Drafts.AsNoTracking()
                .FirstOrDefaultAsync(d => d.InboxId == inbox.InboxId && d.ClientId == request.ClientId, ct)
                ?? throw new ConflictException($"a draft with client_id \"{request.ClientId}\" is being created");
        }

        LogWritten(logger, draft.DraftId, "created", actor.ToString());
        Publish(DraftChangeKind.Created, draft, actor, now);
        return draft;
    }

    public async Task<Draft> UpdateAsync(Actor actor, string inboxId, string draftId, DraftPatch patch, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var draft = await FindDraftAsync(db, inboxId, draftId, ct);
        EnsureEditable(draft, patch.ExpectedVersion, "edited");
        var now = clock.UtcNowMs();

        var changed = new List<string>();
        var to = Track(patch.To, draft.To, "to", changed);
        var cc = Track(patch.Cc, draft.Cc, "cc", changed);
        var bcc = Track(patch.Bcc, draft.Bcc, "bcc", changed);
        var replyTo = Track(patch.ReplyTo, draft.ReplyTo, "reply_to", changed);
        var subject = Track(patch.Subject, draft.Subject, "subject", changed);
        var text = Track(patch.Text, draft.Text, "text", changed);
        var html = Track(patch.Html, draft.Html, "html", changed);

        var errors = new DraftValidator.Errors();
        CheckContent(errors, to, cc, bcc, replyTo, subject, text, html);
        validator.CheckLabels(errors, "add_labels", patch.AddLabels);
        validator.CheckLabels(errors, "remove_labels", patch.RemoveLabels);
        var unknownAttachments = patch.RemoveAttachments.Where(id => draft.Attachments.All(a => a.AttachmentId != id)).ToList();
        foreach (var id in unknownAttachments)
        {
            errors.Add("remove_attachments", $"the draft has no attachment \"{id}\"");
        }

        var kept = draft.Attachments.Where(a => !patch.RemoveAttachments.Contains(a.AttachmentId)).ToList();
        validator.CheckAttachments(errors, "add_attachments", patch.AddAttachments, kept.Sum(a => a.Size), kept.Count);
        if (patch.SendAt.HasValue)
        {
            CheckSendAt(errors, patch.SendAt.Value, now);
        }

        errors.ThrowIfAny();

        draft.To = to;
        draft.Cc = cc;
        draft.Bcc = bcc;
        draft.ReplyTo = replyTo;
        draft.Subject = subject;
        draft.Text = text;
        draft.Html = html;
        draft.Preview = Preview.Of(text, html);

        var labels = draft.Labels.ToList();
        foreach (var label in patch.AddLabels.Select(l => l.Trim()).Where(l => l != Draft.ScheduledLabel && !labels.Contains(l)))
        {
            labels.Add(label);
        }

        labels.RemoveAll(l => l != Draft.ScheduledLabel && patch.RemoveLabels.Contains(l));
        if (!labels.SequenceEqual(draft.Labels))
        {
            changed.Add("labels");
            draft.Labels = labels;
        }

        if (patch.AddAttachments.Count > 0 || patch.RemoveAttachments.Count > 0)
        {
            changed.Add("attachments");
            // Deleted in the same SaveChanges as the version-checked draft: a patch that loses a race keeps every byte.
            db.AttachmentContents.RemoveRange(patch.RemoveAttachments.Distinct().Select(id => new AttachmentContent { AttachmentId = id, Data = [] }));
            draft.Attachments = [.. kept, .. AttachmentRows.Add(db, patch.AddAttachments)];
        }

        var oldSendAt = draft.SendAt;
        string? scheduleAction = null;
        if (patch.SendAt.HasValue && (patch.SendAt.Value != draft.SendAt || draft.State == DraftState.Failed))
        {
            scheduleAction = patch.SendAt.Value is null ? AuditActions.Unscheduled
                : draft.State == DraftState.Scheduled ? AuditActions.Rescheduled : AuditActions.Scheduled;
            draft.Schedule(patch.SendAt.Value);
        }

        if (changed.Count == 0 && scheduleAction is null)
        {
            return draft;
        }

        draft.UpdatedAt = now;
        draft.Version++;
        if (changed.Count > 0)
        {
            db.AuditEntries.Add(Audit(draft, actor, AuditActions.Edited, now, new { changed }));
        }

        var contentChanged = changed.Any(field => field != "labels");
        if (contentChanged)
        {
            // The approval was for the words as they were; the new ones need their own.
            draft.WithdrawApproval();
        }

        if (actor.Kind == ActorKind.Agent && (contentChanged || scheduleAction is not null))
        {
            // Whoever last wrote or scheduled it answers for it: an agent that may not send makes it wait for a person.
            draft.AgentMaySend = ReviewRules.MaySendAlone(actor);
        }

        if (actor.Kind == ActorKind.Agent && contentChanged)
        {
            // The agent's revision answers a request for changes, and is the version a supervisor's edits are shown against.
            draft.KeepAsAgentVersion();
            draft.ClearChangesRequest();
        }

        if (changed.Count > 0)
        {
            EventLog.AppendDraft(db, EventTypes.DraftUpdated, draft, actor, now, changed: changed);
        }

        if (scheduleAction is not null)
        {
            db.AuditEntries.Add(Audit(draft, actor, scheduleAction, now, new { from = oldSendAt, to = draft.SendAt }));
            EventLog.AppendDraft(db, draft.SendAt is null ? EventTypes.DraftUpdated : EventTypes.DraftScheduled, draft, actor, now,
                changed: draft.SendAt is null && changed.Count == 0 ? ["send_at"] : null);
        }

        await SaveOrConflictAsync(db, draft, ct);
        LogWritten(logger, draft.DraftId, scheduleAction ?? AuditActions.Edited, actor.ToString());
        Publish(DraftChangeKind.Updated, draft, actor, now);
        return draft;
    }

    public async Task DeleteAsync(Actor actor, string inboxId, string draftId, long? expectedVersion = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var draft = await FindDraftAsync(db, inboxId, draftId, ct);
        EnsureEditable(draft, expectedVersion, "deleted");
        var now = clock.UtcNowMs();

        var attachmentIds = draft.Attachments.Select(a => a.AttachmentId).ToList();
        db.Drafts.Remove(draft);
        db.AuditEntries.Add(Audit(draft, actor, AuditActions.Deleted, now, new { state = draft.State.ToString().ToLowerInvariant(), send_at = draft.SendAt }));
        AppendDeleted(db, draft, actor, now, reason: $"deleted by {actor.DisplayName}");
        await CommitCheckingVersionAsync(db, draft, () => db.AttachmentContents.Where(c => attachmentIds.Contains(c.AttachmentId)).ExecuteDeleteAsync(ct), ct);

        LogChanged(logger, draft.DraftId, AuditActions.Deleted, actor.ToString());
        Publish(DraftChangeKind.Deleted, draft, actor, now);
    }

    private void CheckContent(
        DraftValidator.Errors errors,
        IReadOnlyList<string>? to,
        IReadOnlyList<string>? cc,
        IReadOnlyList<string>? bcc,
        IReadOnlyList<string>? replyTo,
        string? subject,
        string? text,
        string? html)
    {
        validator.CheckAddresses(errors, "to", to);
        validator.CheckAddresses(errors, "cc", cc);
        validator.CheckAddresses(errors, "bcc", bcc);
        validator.CheckAddresses(errors, "reply_to", replyTo);
        validator.CheckRecipientCount(errors, (to?.Count ?? 0) + (cc?.Count ?? 0) + (bcc?.Count ?? 0));
        validator.CheckSubject(errors, subject);
        validator.CheckBody(errors, "text", text);
        validator.CheckBody(errors, "html", html);
    }

    private static void CheckSendAt(DraftValidator.Errors errors, DateTime? sendAt, DateTime now)
    {
        if (sendAt is { } at && at <= now)
        {
            errors.Add("send_at", $"must be in the future; {at:O} has passed");
        }
    }

    private static void EnsureEditable(Draft draft, long? expectedVersion, string verb)
    {
        if (draft.State == DraftState.Sending)
        {
            throw new ConflictException($"draft {draft.DraftId} is being sent and cannot be {verb}");
        }

        if (expectedVersion is { } expected && expected != draft.Version)
        {
            throw new ConflictException($"draft {draft.DraftId} has changed since version {expected} (it is now at version {draft.Version}); reload it and try again");
        }
    }

    private Task SaveOrConflictAsync(ReviewDbContext db, Draft draft, CancellationToken ct) =>
        CommitCheckingVersionAsync(db, draft, () => Task.CompletedTask, ct);

    /// <summary>Commits the unit of work (and <paramref name="work"/>) in one transaction; a version that moved meanwhile is a conflict.</summary>
    private async Task CommitCheckingVersionAsync(ReviewDbContext db, Draft draft, Func<Task> work, CancellationToken ct)
    {
        try
        {
            await commit.RunAsync(db, work, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException($"draft {draft.DraftId} was changed by someone else at the same moment; reload it and try again");
        }
    }

    /// <summary>
    /// A deleted draft's events: <c>draft.deleted</c>, and where an agent had asked for it to be sent and a person (or
    /// the system) deletes it instead, <c>message.rejected</c> for the message the agent was promised.
    /// </summary>
    private static void AppendDeleted(ReviewDbContext db, Draft draft, Actor actor, DateTime now, string reason)
    {
        EventLog.AppendDraft(db, EventTypes.DraftDeleted, draft, actor, now, reason);
        if (draft.SendRequestedAt is not null && actor.Kind != ActorKind.Agent)
        {
            EventLog.Append(db, EventTypes.MessageRejected, draft.InboxId, now, new EventFacts
            {
                Draft = draft,
                Actor = EventActor.Of(actor),
                Reason = reason,
            }, MimeMessageFactory.MessageIdFor(draft.DraftId, draft.InboxId));
        }
    }

    private static async Task<Inbox> FindInboxAsync(ReviewDbContext db, string inboxId, CancellationToken ct) =>
        await db.Inboxes.AsNoTracking().FirstOrDefaultAsync(i => i.InboxId == inboxId, ct)
        ?? throw new NotFoundException($"inbox {inboxId} not found");

    private static async Task<Draft> FindDraftAsync(ReviewDbContext db, string inboxId, string draftId, CancellationToken ct) =>
        await db.Drafts.FirstOrDefaultAsync(d => d.DraftId == draftId && d.InboxId == inboxId, ct)
        ?? throw new NotFoundException($"draft {draftId} not found in inbox {inboxId}");

    /// <summary>A recipient list after the patch; <c>null</c> clears it like <c>[]</c>.</summary>
    private static List<string> Track(Optional<IReadOnlyList<string>?> patch, List<string> current, string field, List<string> changed)
    {
        var next = patch.HasValue ? [.. patch.Value ?? []] : current;
        if (!next.SequenceEqual(current))
        {
            changed.Add(field);
        }

        return next;
    }

    private static string? Track(Optional<string?> patch, string? current, string field, List<string> changed)
    {
        var next = patch.Or(current);
        if (next != current)
        {
            changed.Add(field);
        }

        return next;
    }

    /// <summary>
    /// A reply to a message that is still held for review (its Message-ID reserved, its draft awaiting approval): the
    /// reply joins that draft's thread as if it had gone, so an agent's follow-up works whether or not a person has
    /// approved the first message yet.
    /// </summary>
    private static async Task<Message?> HeldOriginalAsync(ReviewDbContext db, string inboxId, string messageId, CancellationToken ct)
    {
        var local = messageId.Trim('<', '>');
        var at = local.IndexOf('@');
        if (at <= 0 || !string.Equals(local[(at + 1)..], inboxId[(inboxId.IndexOf('@') + 1)..], StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var draftId = local[..at];
        var held = await db.Drafts.AsNoTracking().FirstOrDefaultAsync(d => d.DraftId == draftId && d.InboxId == inboxId, ct);
        return held is null ? null : new Message
        {
            MessageId = messageId,
            ThreadId = held.ThreadId,
            InboxId = inboxId,
            From = inboxId,
            To = held.To,
            Cc = held.Cc,
            Subject = held.Subject,
            References = held.References,
        };
    }

    private static (List<string> To, List<string> Cc) ReplyRecipients(Message original, string inboxId, bool replyAll)
    {
        var ours = string.Equals(original.From, inboxId, StringComparison.OrdinalIgnoreCase);
        var to = ours ? original.To.ToList() : original.ReplyTo.Count > 0 ? original.ReplyTo.ToList() : [original.From];
        var cc = replyAll ? original.Cc.Where(a => !string.Equals(a, inboxId, StringComparison.OrdinalIgnoreCase)).ToList() : [];
        if (replyAll && !ours)
        {
            to.AddRange(original.To.Where(a => !string.Equals(a, inboxId, StringComparison.OrdinalIgnoreCase) && !to.Contains(a)));
        }

        return (to, cc);
    }

    private static AuditEntry Audit(Draft draft, Actor actor, string action, DateTime at, object? details) =>
        Audit(draft.DraftId, draft.InboxId, actor, action, at, details);

    private static AuditEntry Audit(string draftId, string inboxId, Actor actor, string action, DateTime at, object? details) => new()
    {
        DraftId = draftId,
        InboxId = inboxId,
        Action = action,
        ActorKind = actor.Kind.ToString().ToLowerInvariant(),
        ActorId = actor.Id,
        ActorName = actor.DisplayName,
        ActorAddress = actor.Address,
        Details = details is null ? null : JsonSerializer.Serialize(details),
        At = at,
    };

    private void Publish(DraftChangeKind kind, Draft draft, Actor actor, DateTime at) =>
        feed.Publish(new DraftChange(kind, draft.DraftId, draft.InboxId, draft.Version, draft.State, draft.SendAt, actor, at));

    /// <summary>Approvals, sends and deletions: what an operator looks for in the log.</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "Draft {DraftId} {Action} by {Actor}")]
    private static partial void LogChanged(ILogger logger, string draftId, string action, string actor);

    /// <summary>Agents' writing (creates, edits, schedules): thousands a minute at peak, each in the audit trail already.</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Draft {DraftId} {Action} by {Actor}")]
    private static partial void LogWritten(ILogger logger, string draftId, string action, string actor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draft {DraftId} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string draftId, string reason);
}
