using System.Text.Json;
using AgentMail.Review.Core.Audit;

namespace AgentMail.Review.Web.Console;

/// <summary>What an audit entry's details say, in words and local times: "changed subject, text", "from … to …".</summary>
public static class AuditText
{
    public static string Describe(AuditEntry entry, BrowserClock clock)
    {
        if (entry.Details is null)
        {
            return "";
        }

        try
        {
            using var json = JsonDocument.Parse(entry.Details);
            var root = json.RootElement;
            string? Time(string name) =>
                root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetDateTime(out var at)
                    ? clock.Format(DateTime.SpecifyKind(at.ToUniversalTime(), DateTimeKind.Utc))
                    : null;
            string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

            if (root.TryGetProperty("changed", out var changed) && changed.ValueKind == JsonValueKind.Array)
            {
                return "changed " + string.Join(", ", changed.EnumerateArray().Select(c => c.ToString()));
            }

            var parts = new List<string>();
            if (Time("from") is { } from)
            {
                parts.Add($"from {from}");
            }

            if ((Time("to") ?? Time("send_at")) is { } to)
            {
                parts.Add($"{(parts.Count > 0 ? "to" : "for")} {to}");
            }

            if (Text("reason") is { } reason)
            {
                parts.Add(reason);
            }

            if (Text("message_id") is { } messageId)
            {
                parts.Add(messageId);
            }

            return string.Join(" ", parts);
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
