using System.Globalization;

namespace AgentMail.Review.Core.Tests.Delivery;

/// <summary>Store settings that deliver by SMTP to a server on loopback, retrying at once instead of after a wait.</summary>
internal static class SmtpSettings
{
    public static Dictionary<string, string?> For(int port, int maxAttempts = 4, TimeSpan? timeout = null) => new()
    {
        ["Delivery:Transport"] = "Smtp",
        ["Delivery:Smtp:Host"] = "127.0.0.1",
        ["Delivery:Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture),
        ["Delivery:Smtp:Security"] = "None",
        ["Delivery:Smtp:Timeout"] = (timeout ?? TimeSpan.FromSeconds(10)).ToString("c", CultureInfo.InvariantCulture),
        ["Delivery:MaxAttempts"] = maxAttempts.ToString(CultureInfo.InvariantCulture),
        ["Delivery:FirstRetryDelay"] = "00:00:00",
    };
}
