using System.Security.Cryptography;
using System.Text;

namespace AgentMail.Review.Core.Webhooks;

/// <summary>
/// Signs as AgentMail does (Svix, the Standard Webhooks scheme): <c>v1,</c> + base64 HMAC-SHA256 of
/// <c>{id}.{timestamp}.{body}</c>, keyed with the base64-decoded part of the secret after <c>whsec_</c>.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    public static string Sign(string secret, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var prefix = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return $"v1,{Convert.ToBase64String(HMACSHA256.HashData(key, signed))}";
    }

    /// <summary>The headers one attempt carries: Svix's, and the same values under Standard Webhooks' names.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Headers(string secret, string messageId, DateTimeOffset at, ReadOnlySpan<byte> body)
    {
        var timestamp = at.ToUnixTimeSeconds();
        var signature = Sign(secret, messageId, timestamp, body);
        var seconds = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return
        [
            new("svix-id", messageId), new("svix-timestamp", seconds), new("svix-signature", signature),
            new("webhook-id", messageId), new("webhook-timestamp", seconds), new("webhook-signature", signature),
        ];
    }
}
