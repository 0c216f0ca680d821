using System.Text.Json;
using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Inboxes;

public sealed record NewInbox(string? Username, string? Domain, string? DisplayName, string? ClientId, JsonElement? Metadata = null);

/// <summary>An agent's change to an inbox: what AgentMail's <c>inboxes.update</c> takes. The review policy is not in it.</summary>
public sealed record InboxPatch
{
    public Optional<string?> DisplayName { get; init; }

    /// <summary>Merged into the stored metadata (<see cref="InboxMetadata"/>); null clears it.</summary>
    public Optional<JsonElement?> Metadata { get; init; }
}

public sealed partial class InboxService(
    IDbContextFactory<ReviewDbContext> dbFactory,
    StoreCommit commit,
    IOptions<InboxOptions> options,
    IOptions<ReviewPolicyOptions> policy,
    DraftChangeFeed feed,
    TimeProvider clock,
    ILogger<InboxService> logger)
{
    /// <summary>How many of the drafts that hold up a deletion its refusal names.</summary>
    private const int NamedBusyDrafts = 20;

    private static readonly KeysetOrder<Inbox> ByUpdate = new(i => i.UpdatedAt, i => i.InboxId);

    public async Task<Inbox> CreateAsync(NewInbox request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (request.ClientId is not null)
        {
            var existing = await db.Inboxes.AsNoTracking().FirstOrDefaultAsync(i => i.ClientId == request.ClientId, ct);
            if (existing is not null)
            {
                return existing;
            }
        }

        var username = (request.Username ?? $"agent-{Guid.NewGuid():N}"[..14]).Trim().ToLowerInvariant();
        var domain = (request.Domain ?? options.Value.DefaultDomain).Trim().ToLowerInvariant();
        var address = $"{username}@{domain}";
        var errors = new DraftValidator.Errors();
        // Each part is checked on its own, so the error names the one that is wrong; the characters are checked before
        // trimming, which would quietly drop a trailing U+0085 or U+2028.
        var usernameProblem = DraftValidator.ForbiddenCharacterProblem(request.Username) ?? DraftValidator.LocalPartProblem(username);
        var domainProblem = DraftValidator.ForbiddenCharacterProblem(request.Domain) ?? DraftValidator.DomainProblem(domain);
        if (usernameProblem is not null)
        {
            errors.Add("username", usernameProblem);
        }

        if (domainProblem is not null)
        {
            errors.Add("domain", domainProblem);
        }

        if (usernameProblem is null && domainProblem is null && DraftValidator.AddressProblem(address) is { } addressProblem)
        {
            errors.Add(request.Username is null ? "domain" : "username", addressProblem);
        }

        if (request.DisplayName is not null)
        {
            DraftValidator.CheckHeaderText(errors, "display_name", request.DisplayName);
        }

        var metadata = InboxMetadata.ForCreate(errors, request.Metadata);
        errors.ThrowIfAny();

        if (await db.Inboxes.AnyAsync(i => i.InboxId == address, ct))
        {
            throw new ConflictException($"inbox {address} already exists");
        }

        var now = clock.UtcNowMs();
        var inbox = new Inbox
        {
            InboxId = address,
            DisplayName = request.DisplayName,
            ClientId = request.ClientId,
            Metadata = metadata,
            ReviewRequired = policy.Value.DefaultReviewRequired,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Inboxes.Add(inbox);
        try
        {
            await commit.SaveAsync(db, ct);
        }
        catch (DbUpdateException)
        {
            throw new ConflictException($"inbox {address} already exists");
        }

        return inbox;
    }

    /// <summary>
    /// Turns review on or off for an inbox. On: agents may no longer send from it and its scheduled drafts wait for a
    /// supervisor's approval. Off: held drafts whose time has passed go out with the next due-sweep.
    /// </summary>
    public async Task<Inbox> SetReviewRequiredAsync(string inboxId, bool required, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var inbox = await db.Inboxes.FirstOrDefaultAsync(i => i.InboxId == inboxId, ct)
            ?? throw new NotFoundException($"inbox {inboxId} not found");
        if (inbox.ReviewRequired != required)
        {
            inbox.ReviewRequired = required;
            inbox.UpdatedAt = clock.UtcNowMs();
            await commit.SaveAsync(db, ct);
        }

        return inbox;
    }

    /// <summary>
    /// AgentMail's <c>inboxes.update</c>: the display name and the metadata (merged). The review policy is not
    /// changed here: only an admin changes it (<see cref="SetReviewRequiredAsync"/>).
    /// </summary>
    public async Task<Inbox> UpdateAsync(AccessScope scope, string inboxId, InboxPatch patch, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var inbox = await db.Inboxes.FirstOrDefaultAsync(i => i.InboxId == inboxId, ct);
        if (inbox is null || !scope.Allows(inbox.InboxId))
        {
            throw new NotFoundException($"inbox {inboxId} not found");
        }

        var errors = new DraftValidator.Errors();
        if (!patch.DisplayName.HasValue && !patch.Metadata.HasValue)
        {
            errors.Add("body", "an update needs display_name or metadata");
        }

        if (patch.DisplayName is { HasValue: true, Value: { } displayName })
        {
            DraftValidator.CheckHeaderText(errors, "display_name", displayName);
        }

        var metadata = patch.Metadata.HasValue ? InboxMetadata.ForUpdate(errors, inbox.Metadata, patch.Metadata.Value) : inbox.Metadata;
        errors.ThrowIfAny();

        var name = patch.DisplayName.Or(inbox.DisplayName);
        if (name == inbox.DisplayName && metadata == inbox.Metadata)
        {
            return inbox;
        }

        inbox.DisplayName = name;
        inbox.Metadata = metadata;
        inbox.UpdatedAt = clock.UtcNowMs();
        await commit.SaveAsync(db, ct);

        return inbox;
    }

    /// <summary>What a reply arriving in a thread does to the inbox's follow-ups scheduled in it, from the next reply on.</summary>
    public async Task<Inbox> SetOnReplyAsync(string inboxId, OnReplyPolicy onReply, CancellationToken ct = default)
    {
        if (!Enum.IsDefined(onReply))
        {
            throw new ValidationException("on_reply", $"must be one of {string.Join(", ", Enum.GetNames<OnReplyPolicy>())}");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var inbox = await db.Inboxes.FirstOrDefaultAsync(i => i.InboxId == inboxId, ct)
            ?? throw new NotFoundException($"inbox {inboxId} not found");
        if (inbox.OnReply != onReply)
        {
            inbox.OnReply = onReply;
            inbox.UpdatedAt = clock.UtcNowMs();
            await commit.SaveAsync(db, ct);
        }

        return inbox;
    }

    /// <summary>
    /// Deletes an inbox with its drafts, its messages and their attachments' bytes, in one transaction. Refused (409,
    /// naming them) while any of its drafts is scheduled (held sends included) or being sent: those are on their way
    /// out and a person should decide first. Every draft and message that goes leaves an audit entry, and the audit
    /// trail itself is kept.
    /// </summary>
    public async Task DeleteAsync(Actor actor, AccessScope scope, string inboxId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.UtcNowMs();
        List<Draft> drafts = [];
        var messageCount = 0;
        await commit.RunAsync(db, async () =>
        {
            // Read under the write lock: no draft can be scheduled or claimed between the check and the deletion.
            var inbox = await db.Inboxes.AsNoTracking().FirstOrDefaultAsync(i => i.InboxId == inboxId, ct);
            if (inbox is null || !scope.Allows(inbox.InboxId))
            {
                throw new NotFoundException($"inbox {inboxId} not found");
            }

            var busy = await db.Drafts.AsNoTracking()
                .Where(d => d.InboxId == inbox.InboxId && (d.State == DraftState.Scheduled || d.State == DraftState.Sending))
                .OrderBy(d => d.DraftId)
                .Select(d => new { d.DraftId, d.State })
                .Take(NamedBusyDrafts + 1)
                .ToListAsync(ct);
            if (busy.Count > 0)
            {
                var named = string.Join(", ", busy.Take(NamedBusyDrafts).Select(d => $"{d.DraftId} ({(d.State == DraftState.Sending ? "being sent" : "scheduled")})"));
                var more = busy.Count > NamedBusyDrafts ? " and more" : "";
                throw new ConflictException(
                    $"inbox {inbox.InboxId} has drafts on their way out: {named}{more}; unschedule or delete them (or let them go) before deleting the inbox");
            }

            drafts = await db.Drafts.AsNoTracking().Where(d => d.InboxId == inbox.InboxId).ToListAsync(ct);
            var messages = await db.Messages.AsNoTracking().Where(m => m.InboxId == inbox.InboxId).ToListAsync(ct);
            messageCount = messages.Count;
            var attachmentIds = drafts.SelectMany(d => d.Attachments).Concat(messages.SelectMany(m => m.Attachments)).Select(a => a.AttachmentId).Distinct().ToList();

            foreach (var draft in drafts)
            {
                db.AuditEntries.Add(AuditOf(actor, draft.DraftId, inbox.InboxId, AuditActions.Deleted, now,
                    new { reason = "inbox deleted", state = draft.State.ToString().ToLowerInvariant(), send_at = draft.SendAt }));
                EventLog.AppendDraft(db, EventTypes.DraftDeleted, draft, actor, now, "inbox deleted");
            }

            foreach (var message in messages.Where(m => m.DraftId is not null))
            {
                db.AuditEntries.Add(AuditOf(actor, message.DraftId!, inbox.InboxId, AuditActions.MessageDeleted, now,
                    new { reason = "inbox deleted", message_id = message.MessageId }));
            }

            await db.AttachmentContents.Where(c => attachmentIds.Contains(c.AttachmentId)).ExecuteDeleteAsync(ct);
            await db.Drafts.Where(d => d.InboxId == inbox.InboxId).ExecuteDeleteAsync(ct);
            var messageIds = messages.Select(m => m.MessageId).ToList();
            await db.MessageMimes.Where(m => messageIds.Contains(m.MessageId)).ExecuteDeleteAsync(ct);
            await db.Messages.Where(m => m.InboxId == inbox.InboxId).ExecuteDeleteAsync(ct);
            await db.Threads.Where(t => t.InboxId == inbox.InboxId).ExecuteDeleteAsync(ct);
            await db.Inboxes.Where(i => i.InboxId == inbox.InboxId).ExecuteDeleteAsync(ct);
        }, ct);

        LogDeleted(logger, inboxId, actor.ToString(), drafts.Count, messageCount);
        foreach (var draft in drafts)
        {
            feed.Publish(new DraftChange(DraftChangeKind.Deleted, draft.DraftId, draft.InboxId, draft.Version, draft.State, draft.SendAt, actor, now));
        }
    }

    public async Task<Inbox> GetAsync(AccessScope scope, string inboxId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var inbox = await db.Inboxes.AsNoTracking().FirstOrDefaultAsync(i => i.InboxId == inboxId, ct);
        if (inbox is null || !scope.Allows(inbox.InboxId))
        {
            throw new NotFoundException($"inbox {inboxId} not found");
        }

        return inbox;
    }

    public async Task<Page<Inbox>> ListAsync(AccessScope scope, ListRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        IQueryable<Inbox> query = db.Inboxes.AsNoTracking();
        if (scope.InboxIds is { } visible)
        {
            var ids = visible.ToList();
            query = query.Where(i => ids.Contains(i.InboxId));
        }

        return await Keyset.PageAsync(query, ByUpdate, request, ct);
    }

    private static AuditEntry AuditOf(Actor actor, string draftId, string inboxId, string action, DateTime at, object details) => new()
    {
        DraftId = draftId,
        InboxId = inboxId,
        Action = action,
        ActorKind = actor.Kind.ToString().ToLowerInvariant(),
        ActorId = actor.Id,
        ActorName = actor.DisplayName,
        ActorAddress = actor.Address,
        Details = JsonSerializer.Serialize(details),
        At = at,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbox {InboxId} deleted by {Actor} with {Drafts} drafts and {Messages} messages")]
    private static partial void LogDeleted(ILogger logger, string inboxId, string actor, int drafts, int messages);
}
