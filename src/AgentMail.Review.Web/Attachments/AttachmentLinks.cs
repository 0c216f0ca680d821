using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text.Json;
using AgentMail.Review.Core.Attachments;
using AgentMail.Review.Core.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Web.Attachments;

/// <summary>Bound from <c>Review:Attachments</c>.</summary>
public sealed class AttachmentLinkOptions
{
    public const string Section = "Review:Attachments";

    /// <summary>How long an attachment's <c>download_url</c> works after it was handed out.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "Review:Attachments:LinkLifetime must be between 00:00:01 and 7.00:00:00")]
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Signed, expiring download links: the token names the attachment and its owner, protected by ASP.NET Core Data
/// Protection's time-limited protector, so a link cannot be altered, made for another attachment, or used after it
/// expires. It needs no API key: whoever holds the link may download the one attachment until then.
/// </summary>
public sealed class AttachmentLinks(IDataProtectionProvider protection, IOptions<AttachmentLinkOptions> options, TimeProvider clock)
{
    public const string DownloadPath = "/v0/attachments/download";

    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("AgentMail.Review.Attachments.DownloadLink.v1").ToTimeLimitedDataProtector();

    public (string Url, DateTime ExpiresAt) Issue(HttpRequest request, AttachmentOwner owner)
    {
        var expiresAt = ClockExtensions.TruncateToMs(clock.GetUtcNow().UtcDateTime + options.Value.LinkLifetime);
        var payload = JsonSerializer.Serialize(new Payload(owner.Kind, owner.InboxId, owner.OwnerId, owner.AttachmentId));
        var token = _protector.Protect(payload, new DateTimeOffset(expiresAt));
        var url = $"{request.Scheme}://{request.Host}{request.PathBase}{DownloadPath}{QueryString.Create("token", token)}";
        return (url, expiresAt);
    }

    /// <summary>The attachment a token stands for; null when it was altered, not issued here, or has expired.</summary>
    public AttachmentOwner? Read(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            // The protector checks the expiry against the system clock; the app's clock is checked too, so tests and
            // a clock the host sets agree on when a link ends.
            var payload = _protector.Unprotect(token, out var expiration);
            if (expiration <= clock.GetUtcNow())
            {
                return null;
            }

            return JsonSerializer.Deserialize<Payload>(payload) is { } p ? new AttachmentOwner(p.Kind, p.InboxId, p.OwnerId, p.AttachmentId) : null;
        }
        catch (Exception e) when (e is CryptographicException or FormatException or JsonException)
        {
            return null;
        }
    }

    private sealed record Payload(AttachmentOwnerKind Kind, string InboxId, string OwnerId, string AttachmentId);
}
