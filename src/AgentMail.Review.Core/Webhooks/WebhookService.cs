using System.Security.Cryptography;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Webhooks;

public sealed record NewWebhook(string Url, IReadOnlyList<string> EventTypes, IReadOnlyList<string> InboxIds, string? ClientId);

public sealed record WebhookPatch
{
    public IReadOnlyList<string>? EventTypes { get; init; }

    public IReadOnlyList<string> AddInboxIds { get; init; } = [];

    public IReadOnlyList<string> RemoveInboxIds { get; init; } = [];
}

/// <summary>
/// Agents' endpoints: registered, listed, changed and removed within what the caller's key may see. A key scoped to
/// some inboxes registers endpoints that hear only those inboxes, and sees only such endpoints.
/// </summary>
public sealed class WebhookService(IDbContextFactory<ReviewDbContext> dbFactory, StoreCommit commit, WebhookUrlPolicy urls, TimeProvider clock)
{
    private static readonly KeysetOrder<Webhook> ByCreation = new(w => w.CreatedAt, w => w.WebhookId);

    public async Task<Webhook> CreateAsync(AccessScope scope, NewWebhook request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (request.ClientId is not null)
        {
            var existing = await db.Webhooks.AsNoTracking().FirstOrDefaultAsync(w => w.ClientId == request.ClientId, ct);
            if (existing is not null && Visible(existing, scope))
            {
                return existing;
            }

            if (existing is not null)
            {
                throw new ConflictException($"client_id \"{request.ClientId}\" is taken");
            }
        }

        var errors = new DraftValidator.Errors();
        if (await urls.ProblemAsync(request.Url, ct) is { } problem)
        {
            errors.Add("url", problem);
        }

        CheckEventTypes(errors, request.EventTypes);
        var inboxIds = await CheckInboxesAsync(db, errors, "inbox_ids", scope, request.InboxIds, ct);
        if (request.ClientId is not null)
        {
            DraftValidator.CheckHeaderText(errors, "client_id", request.ClientId);
        }

        errors.ThrowIfAny();
        var now = clock.UtcNowMs();
        var webhook = new Webhook
        {
            WebhookId = Ids.New(),
            Url = request.Url,
            EventTypes = request.EventTypes.Distinct().ToList(),
            InboxIds = inboxIds,
            OwnerInboxIds = scope.InboxIds?.Order().ToList(),
            ClientId = request.ClientId,
            Secret = $"whsec_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))}",
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Webhooks.Add(webhook);
        try
        {
            await commit.SaveAsync(db, ct);
        }
        catch (DbUpdateException) when (request.ClientId is not null)
        {
            await using var fresh = await dbFactory.CreateDbContextAsync(ct);
            return await fresh.Webhooks.AsNoTracking().FirstAsync(w => w.ClientId == request.ClientId, ct);
        }

        return webhook;
    }

    public async Task<Webhook> GetAsync(AccessScope scope, string webhookId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await FindAsync(db, scope, webhookId, ct);
    }

    /// <summary>Newest first. For a key scoped to some inboxes, a page holds only what it may see (and may so be short).</summary>
    public async Task<Page<Webhook>> ListAsync(AccessScope scope, ListRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var page = await Keyset.PageAsync(db.Webhooks.AsNoTracking(), ByCreation, request, ct);
        return page with { Items = page.Items.Where(w => Visible(w, scope)).ToList() };
    }

    public async Task<Webhook> UpdateAsync(AccessScope scope, string webhookId, WebhookPatch patch, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var webhook = await FindAsync(db, scope, webhookId, ct, tracked: true);
        var errors = new DraftValidator.Errors();
        if (patch.EventTypes is not null)
        {
            CheckEventTypes(errors, patch.EventTypes);
        }

        var added = await CheckInboxesAsync(db, errors, "add_inbox_ids", scope, patch.AddInboxIds, ct);
        errors.ThrowIfAny();

        if (patch.EventTypes is not null)
        {
            webhook.EventTypes = patch.EventTypes.Distinct().ToList();
        }

        var inboxes = webhook.InboxIds.Concat(added).Distinct().Where(i => !patch.RemoveInboxIds.Contains(i, StringComparer.OrdinalIgnoreCase)).ToList();
        if (inboxes.Count == 0 && scope.InboxIds is { } visible && (patch.AddInboxIds.Count > 0 || patch.RemoveInboxIds.Count > 0))
        {
            // A scoped key's endpoint listens to its inboxes; removing every one named means all of them again.
            inboxes = visible.Order().ToList();
        }

        webhook.InboxIds = inboxes;
        webhook.UpdatedAt = clock.UtcNowMs();
        await commit.SaveAsync(db, ct);
        return webhook;
    }

    public async Task DeleteAsync(AccessScope scope, string webhookId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var webhook = await FindAsync(db, scope, webhookId, ct, tracked: true);
        await commit.RunAsync(db, async () =>
        {
            await db.WebhookDeliveries.Where(d => d.WebhookId == webhook.WebhookId).ExecuteDeleteAsync(ct);
            db.Webhooks.Remove(webhook);
        }, ct);
    }

    /// <summary>For the admin: every endpoint, newest first.</summary>
    public async Task<IReadOnlyList<Webhook>> ListAllAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Webhooks.AsNoTracking().OrderByDescending(w => w.CreatedAt).ToListAsync(ct);
    }

    /// <summary>For the admin: an endpoint's latest deliveries, newest first.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> RecentDeliveriesAsync(string webhookId, int count = 20, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == webhookId)
            .OrderByDescending(d => d.EventPosition).ThenByDescending(d => d.CreatedAt).Take(count).ToListAsync(ct);
    }

    /// <summary>An admin turns a disabled endpoint back on; its failure run starts afresh.</summary>
    public async Task EnableAsync(string webhookId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var webhook = await db.Webhooks.FirstOrDefaultAsync(w => w.WebhookId == webhookId, ct) ?? throw new NotFoundException($"webhook {webhookId} not found");
        webhook.Enabled = true;
        webhook.DisabledReason = null;
        webhook.FailingSince = null;
        webhook.UpdatedAt = clock.UtcNowMs();
        await commit.SaveAsync(db, ct);
    }

    private static bool Visible(Webhook webhook, AccessScope scope) =>
        scope.InboxIds is not { } visible || (webhook.OwnerInboxIds is { } owner && owner.All(visible.Contains));

    private static async Task<Webhook> FindAsync(ReviewDbContext db, AccessScope scope, string webhookId, CancellationToken ct, bool tracked = false)
    {
        var query = tracked ? db.Webhooks : db.Webhooks.AsNoTracking();
        var webhook = await query.FirstOrDefaultAsync(w => w.WebhookId == webhookId, ct);
        return webhook is not null && Visible(webhook, scope) ? webhook : throw new NotFoundException($"webhook {webhookId} not found");
    }

    private static void CheckEventTypes(DraftValidator.Errors errors, IReadOnlyList<string> eventTypes)
    {
        if (eventTypes.Count == 0)
        {
            errors.Add("event_types", $"name at least one of {string.Join(", ", EventTypes.All)}");
        }

        for (var i = 0; i < eventTypes.Count; i++)
        {
            if (!EventTypes.IsKnown(eventTypes[i]))
            {
                errors.Add($"event_types[{i}]", $"\"{eventTypes[i]}\" is not an event type; use one of {string.Join(", ", EventTypes.All)}");
            }
        }
    }

    /// <summary>The inboxes named, each one the caller may see; for a scoped key naming none, all of its own.</summary>
    private static async Task<List<string>> CheckInboxesAsync(ReviewDbContext db, DraftValidator.Errors errors, string field, AccessScope scope, IReadOnlyList<string> inboxIds, CancellationToken ct)
    {
        var normalised = inboxIds.Select(i => i.Trim().ToLowerInvariant()).ToList();
        var known = await db.Inboxes.AsNoTracking().Where(i => normalised.Contains(i.InboxId)).Select(i => i.InboxId).ToListAsync(ct);
        for (var i = 0; i < normalised.Count; i++)
        {
            if (!known.Contains(normalised[i]) || !scope.Allows(normalised[i]))
            {
                errors.Add($"{field}[{i}]", $"inbox {inboxIds[i]} not found");
            }
        }

        return normalised.Count == 0 && field == "inbox_ids" && scope.InboxIds is { } visible ? visible.Order().ToList() : normalised.Distinct().ToList();
    }
}
