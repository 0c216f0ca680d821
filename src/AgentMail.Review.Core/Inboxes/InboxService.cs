using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Inboxes;

public sealed record NewInbox(string? Username, string? Domain, string? DisplayName, string? ClientId);

public sealed class InboxService(
    IDbContextFactory<ReviewDbContext> dbFactory,
    StoreWriteLock writeLock,
    IOptions<InboxOptions> options,
    IOptions<ReviewPolicyOptions> policy,
    TimeProvider clock)
{
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
            ReviewRequired = policy.Value.DefaultReviewRequired,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Inboxes.Add(inbox);
        try
        {
            await using (await writeLock.EnterAsync(ct))
            {
                await db.SaveChangesAsync(ct);
            }
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
            await using (await writeLock.EnterAsync(ct))
            {
                await db.SaveChangesAsync(ct);
            }
        }

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
            await using (await writeLock.EnterAsync(ct))
            {
                await db.SaveChangesAsync(ct);
            }
        }

        return inbox;
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
}
