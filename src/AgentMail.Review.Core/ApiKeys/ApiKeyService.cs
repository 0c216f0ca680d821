using System.Security.Cryptography;
using System.Text;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.ApiKeys;

/// <summary>A key as its holder sees it, once: the clear text is never stored.</summary>
public sealed record CreatedApiKey(ApiKey Key, string Secret);

public sealed class ApiKeyService(IDbContextFactory<ReviewDbContext> dbFactory, IStoreWriteGate writeGate, Microsoft.Extensions.Options.IOptions<StoreOptions> store, TimeProvider clock)
{
    private const string KeyPrefix = "am_";

    /// <summary>
    /// How long a key that authenticated is trusted without asking the store again: every agent request needs it, and
    /// this process drops it from the cache the moment the key is revoked. With a shared store another instance may
    /// revoke it, so there every request asks the store (one primary-key look-up), and a revoked key is refused by
    /// every instance on its next request.
    /// </summary>
    private readonly TimeSpan RememberFor = store.Value.Provider == StoreProvider.Sqlite ? TimeSpan.FromSeconds(30) : TimeSpan.Zero;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (ApiKey Key, long CheckedAt)> _recent = new();

    /// <summary>Moves on with every revocation, so a look-up that started before one never caches what it read.</summary>
    private long _revocations;

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
            await using (await writeGate.EnterAsync(ct))
            {
                await db.SaveChangesAsync(ct);
            }

            return existing;
        }

        try
        {
            return await StoreAsync(name, secret, [], true, ct);
        }
        catch (DbUpdateException)
        {
            // Instances starting together on one store each ensure the same key; the first insert wins.
            await using var fresh = await dbFactory.CreateDbContextAsync(ct);
            if (await fresh.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Hash == hash, ct) is { } made)
            {
                return made;
            }

            throw;
        }
    }

    /// <summary>The live key with this secret, or null. Records its use.</summary>
    public async Task<ApiKey?> AuthenticateAsync(string secret, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > 200)
        {
            return null;
        }

        var hash = HashOf(secret);
        if (_recent.TryGetValue(hash, out var recent) && clock.GetElapsedTime(recent.CheckedAt) < RememberFor)
        {
            return recent.Key;
        }

        var revocations = Interlocked.Read(ref _revocations);
        var checkedAt = clock.GetTimestamp();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Hash == hash && k.RevokedAt == null, ct);
        if (key is null)
        {
            _recent.TryRemove(hash, out _);
            return null;
        }

        // Cached, then checked again: a revocation that lands in between clears or undoes it either way.
        _recent[hash] = (key, checkedAt);
        if (Interlocked.Read(ref _revocations) != revocations)
        {
            _recent.TryRemove(hash, out _);
        }

        var now = clock.UtcNowMs();

        // Last use to within a minute or two is enough, and spares a write on every request.
        if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            try
            {
                await using (await writeGate.EnterAsync(ct))
                {
                    await db.ApiKeys.Where(k => k.ApiKeyId == key.ApiKeyId).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
                }
            }
            catch (StorageFullException)
            {
                // The stamp is a convenience; on a full disk a key still opens reads, and each write answers for itself.
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
        int revoked;
        await using (await writeGate.EnterAsync(ct))
        {
            revoked = await db.ApiKeys.Where(k => k.ApiKeyId == apiKeyId && k.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, clock.UtcNowMs()), ct);
        }

        // After the commit: a look-up from here on reads the revocation; one that read before it caches nothing.
        Interlocked.Increment(ref _revocations);
        _recent.Clear();
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
        await using (await writeGate.EnterAsync(ct))
        {
            await db.SaveChangesAsync(ct);
        }

        return key;
    }
}
