using System.Security.Cryptography;
using System.Text;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.ApiKeys;

/// <summary>A key as its holder sees it, once: the clear text is never stored.</summary>
public sealed record CreatedApiKey(ApiKey Key, string Secret);

public sealed class ApiKeyService(IDbContextFactory<ReviewDbContext> dbFactory, StoreWriteLock writeLock, TimeProvider clock)
{
    private const string KeyPrefix = "am_";

    /// <summary>
    /// How long a key that authenticated is trusted without asking the store again: every agent request needs it, and
    /// this process drops it from the cache the moment the key is revoked.
    /// </summary>
    private static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(30);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (ApiKey Key, DateTime CheckedAt)> _recent = new();

    public async Task<CreatedApiKey> CreateAsync(string name, IReadOnlyList<string> inboxIds, bool canSend, CancellationToken ct = default)
    {
        var secret = KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var key = await StoreAsync(name, secret, inboxIds, canSend, ct);
        return new CreatedApiKey(key, secret);
    }

    /// <summary>Makes sure a key with exactly this secret exists (the development key from configuration).</summary>
    public async Task<ApiKey> EnsureAsync(string name, string secret, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hash = HashOf(secret);
        var existing = await db.ApiKeys.FirstOrDefaultAsync(k => k.Hash == hash, ct);
        if (existing is not null)
        {
            existing.RevokedAt = null;
            await using (await writeLock.EnterAsync(ct))
            {
                await db.SaveChangesAsync(ct);
            }

            return existing;
        }

        return await StoreAsync(name, secret, [], true, ct);
    }

    /// <summary>The live key with this secret, or null. Records its use.</summary>
    public async Task<ApiKey?> AuthenticateAsync(string secret, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > 200)
        {
            return null;
        }

        var hash = HashOf(secret);
        var now = clock.UtcNowMs();
        if (_recent.TryGetValue(hash, out var recent) && now - recent.CheckedAt < RememberFor)
        {
            return recent.Key;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Hash == hash && k.RevokedAt == null, ct);
        if (key is null)
        {
            _recent.TryRemove(hash, out _);
            return null;
        }

        _recent[hash] = (key, now);

        // Last use to the minute is enough, and spares a write on every request.
        if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            await using (await writeLock.EnterAsync(ct))
            {
                await db.ApiKeys.Where(k => k.ApiKeyId == key.ApiKeyId).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
            }
        }

        return key;
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(ct);
    }

    public async Task RevokeAsync(string apiKeyId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var write = await writeLock.EnterAsync(ct);
        _recent.Clear();
        var revoked = await db.ApiKeys.Where(k => k.ApiKeyId == apiKeyId && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, clock.UtcNowMs()), ct);
        if (revoked == 0 && !await db.ApiKeys.AnyAsync(k => k.ApiKeyId == apiKeyId, ct))
        {
            throw new NotFoundException($"API key {apiKeyId} not found");
        }
    }

    public static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private async Task<ApiKey> StoreAsync(string name, string secret, IReadOnlyList<string> inboxIds, bool canSend, CancellationToken ct)
    {
        var errors = new Drafts.DraftValidator.Errors();
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add("name", "a key needs a name");
        }

        errors.ThrowIfAny();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = new ApiKey
        {
            ApiKeyId = Ids.New(),
            Name = name.Trim(),
            Prefix = secret[..Math.Min(10, secret.Length)],
            Hash = HashOf(secret),
            InboxIds = inboxIds.Select(i => i.ToLowerInvariant()).Distinct().ToList(),
            CanSend = canSend,
            CreatedAt = clock.UtcNowMs(),
        };
        db.ApiKeys.Add(key);
        await using (await writeLock.EnterAsync(ct))
        {
            await db.SaveChangesAsync(ct);
        }

        return key;
    }
}
