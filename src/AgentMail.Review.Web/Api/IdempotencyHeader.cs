using AgentMail.Review.Core.Idempotency;

namespace AgentMail.Review.Web.Api;

public static class IdempotencyHeader
{
    /// <summary>The request's <c>Idempotency-Key</c> with a fingerprint of what was asked; null without the header.</summary>
    public static (string Key, string RequestHash)? Read(HttpRequest request, string target, byte[] body)
    {
        if (!request.Headers.TryGetValue(IdempotencyKeys.HeaderName, out var values))
        {
            return null;
        }

        var key = values.ToString();
        IdempotencyKeys.Check(key);
        return (key, IdempotencyKeys.HashOf(target, body.Length == 0 ? "{}"u8.ToArray() : body));
    }
}
