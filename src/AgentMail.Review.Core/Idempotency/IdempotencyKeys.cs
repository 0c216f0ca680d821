using System.Security.Cryptography;
using System.Text;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> as AgentMail defines it: scoped to the caller and the operation, kept for 24 hours. The same
/// key with the same request answers the original request's result; with a different request it is refused.
/// </summary>
public sealed class IdempotencyKeys(IDbContextFactory<ReviewDbContext> dbFactory, IStoreWriteGate writeGate, TimeProvider clock)
{
    public const string HeaderName = "Idempotency-Key";

    public static readonly TimeSpan KeptFor = TimeSpan.FromHours(24);

    private const int MaxKeyLength = 255;

    /// <summary>A fingerprint of the request: what was asked (the operation's path) and with what (its body).</summary>
    public static string HashOf(string target, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(target));
        hash.AppendData([0]);
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static void Check(string key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new ValidationException(HeaderName, "may not be empty; leave the header out to send without one");
        }

        if (key.Length > MaxKeyLength || key.Any(char.IsControl))
        {
            throw new ValidationException(HeaderName, $"must be at most {MaxKeyLength} printable characters");
        }
    }

    /// <summary>
    /// Records this use of the key for <paramref name="resourceId"/>. Returns null for a first use, or the earlier use
    /// of the same key with the same request; a different request with a key still kept is a conflict.
    /// </summary>
    public async Task<IdempotencyRecord?> UseAsync(string callerId, string operation, string key, string requestHash, string resourceId, string inboxId, CancellationToken ct = default)
    {
        Check(key);
        var now = clock.UtcNowMs();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Read and insert through the write gate: of two requests racing with one key, the second sees the first.
        await using (await writeGate.EnterAsync(ct))
        {
            var earlier = await db.IdempotencyRecords.AsNoTracking()
                .FirstOrDefaultAsync(r => r.CallerId == callerId && r.Operation == operation && r.Key == key, ct);
            if (earlier is not null && now - earlier.CreatedAt < KeptFor)
            {
                return earlier.RequestHash == requestHash
                    ? earlier
                    : throw new ConflictException($"{HeaderName} \"{key}\" was already used for a different request; use a new key for a new request");
            }

            if (earlier is not null)
            {
                await db.IdempotencyRecords.Where(r => r.CallerId == callerId && r.Operation == operation && r.Key == key).ExecuteDeleteAsync(ct);
            }

            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                CallerId = callerId,
                Operation = operation,
                Key = key,
                RequestHash = requestHash,
                ResourceId = resourceId,
                InboxId = inboxId,
                CreatedAt = now,
            });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another instance took the key between the read and the insert (one instance's gate rules that out).
                var first = await FirstUseAsync(callerId, operation, key, ct);
                if (first is null)
                {
                    throw;
                }

                return first.RequestHash == requestHash
                    ? first
                    : throw new ConflictException($"{HeaderName} \"{key}\" was already used for a different request; use a new key for a new request");
            }
        }

        return null;
    }

    private async Task<IdempotencyRecord?> FirstUseAsync(string callerId, string operation, string key, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.CallerId == callerId && r.Operation == operation && r.Key == key, ct);
    }

    /// <summary>Forgets keys past <see cref="KeptFor"/>.</summary>
    public async Task<int> ForgetExpiredAsync(CancellationToken ct = default)
    {
        var before = clock.UtcNowMs() - KeptFor;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using (await writeGate.EnterAsync(ct))
        {
            return await db.IdempotencyRecords.Where(r => r.CreatedAt < before).ExecuteDeleteAsync(ct);
        }
    }
}
