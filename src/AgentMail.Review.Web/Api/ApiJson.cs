using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentMail.Review.Web.Api;

/// <summary>AgentMail's wire format: snake_case names, absent rather than null optionals, RFC 3339 UTC with milliseconds.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new UtcTimestampConverter());
    }

    public static string Format(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads an RFC 3339 timestamp (a date, a time and an offset or Z), or null when it is not one.</summary>
    public static DateTime? ParseTimestamp(string? text)
    {
        if (text is null || text.Length < 20 || text[10] is not ('T' or 't' or ' '))
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
               && (text.EndsWith('Z') || text.EndsWith('z') || text[^6] is '+' or '-')
            ? value.UtcDateTime
            : null;
    }

    private sealed class UtcTimestampConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            ParseTimestamp(reader.GetString()) ?? throw new JsonException("not an RFC 3339 timestamp");

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Format(value));
    }
}
