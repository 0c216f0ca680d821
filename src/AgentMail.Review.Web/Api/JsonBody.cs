using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using AgentMail.Review.Core.Common;

namespace AgentMail.Review.Web.Api;

/// <summary>
/// A request body read field by field, so a partial update can tell an omitted field from a null one and every
/// wrong type is reported with the field's wire name. Unknown fields are refused rather than silently dropped, and so
/// is text that is not text (see <see cref="CheckText"/>).
/// </summary>
public sealed class JsonBody
{
    private const string NotUtf8 = "is not valid UTF-8";

    private const string LoneSurrogate = "contains an escaped lone UTF-16 surrogate (\\uD800-\\uDFFF without its pair), which is not a character";

    private readonly JsonElement _root;
    private readonly List<FieldError> _errors = [];

    private JsonBody(JsonElement root) => _root = root;

    public static async Task<JsonBody> ReadAsync(HttpRequest request, IReadOnlyCollection<string> knownFields, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            throw new ValidationException("body", $"is not valid JSON ({e.Message})");
        }

        return From(document, knownFields);
    }

    /// <summary>
    /// A body the official SDKs may leave out altogether (<c>inboxes.create()</c> with no arguments sends none): no
    /// body, or only whitespace, reads as <c>{}</c>.
    /// </summary>
    public static async Task<JsonBody> ReadOptionalAsync(HttpRequest request, IReadOnlyCollection<string> knownFields, CancellationToken ct) =>
        Parse(await ReadBytesAsync(request, ct), knownFields);

    /// <summary>The whole request body, for an endpoint that both fingerprints and reads it (<c>Idempotency-Key</c>).</summary>
    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    /// <summary>Reads a body already in memory; no body, or only whitespace, reads as <c>{}</c>.</summary>
    public static JsonBody Parse(ReadOnlyMemory<byte> body, IReadOnlyCollection<string> knownFields)
    {
        if (IsBlank(body.Span))
        {
            body = "{}"u8.ToArray();
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new ValidationException("body", $"is not valid JSON ({e.Message})");
        }

        return From(document, knownFields);
    }

    private static bool IsBlank(ReadOnlySpan<byte> body) => body.TrimStart(" \t\r\n"u8).IsEmpty;

    /// <summary>Reads the body as <see cref="Parse"/> does, keeping its bytes too (an idempotent request's fingerprint).</summary>
    public static async Task<(JsonBody Body, byte[] Bytes)> ReadBufferedAsync(HttpRequest request, IReadOnlyCollection<string> knownFields, CancellationToken ct)
    {
        var bytes = await ReadBytesAsync(request, ct);
        return (Parse(bytes, knownFields), bytes);
    }

    public bool IsNullOrEmptyObject(string name) =>
        !_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null
        || (value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any());

    private static JsonBody From(JsonDocument document, IReadOnlyCollection<string> knownFields)
    {
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ValidationException("body", "must be a JSON object");
            }

            var textErrors = new List<FieldError>();
            CheckText(document.RootElement, "", textErrors);
            if (textErrors.Count > 0)
            {
                throw new ValidationException(textErrors);
            }

            var body = new JsonBody(document.RootElement.Clone());
            foreach (var property in body._root.EnumerateObject().Where(p => !knownFields.Contains(p.Name)))
            {
                body._errors.Add(new FieldError(property.Name, $"is not a field this endpoint accepts (accepted: {string.Join(", ", knownFields)})"));
            }

            return body;
        }
    }

    public bool Has(string name) => _root.TryGetProperty(name, out _);

    public void Error(string field, string message) => _errors.Add(new FieldError(field, message));

    public void ThrowIfErrors()
    {
        if (_errors.Count > 0)
        {
            throw new ValidationException(_errors.ToList());
        }
    }

    public Optional<string?> OptionalString(string name)
    {
        if (!_root.TryGetProperty(name, out var value))
        {
            return Optional<string?>.Absent;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return new Optional<string?>(true, null);
            case JsonValueKind.String:
                return value.GetString();
            default:
                Error(name, $"must be a string, not {Kind(value)}");
                return Optional<string?>.Absent;
        }
    }

    public string? String(string name) => OptionalString(name).Or(null);

    public bool Bool(string name)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Error(name, $"must be true or false, not {Kind(value)}");
        return false;
    }

    /// <summary>An array of strings; AgentMail also accepts a single string where a list is expected.</summary>
    public Optional<IReadOnlyList<string>?> OptionalStrings(string name)
    {
        if (!_root.TryGetProperty(name, out var value))
        {
            return Optional<IReadOnlyList<string>?>.Absent;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return new Optional<IReadOnlyList<string>?>(true, null);
            case JsonValueKind.String:
                return new Optional<IReadOnlyList<string>?>(true, [value.GetString()!]);
            case JsonValueKind.Array:
                var items = new List<string>();
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        items.Add(item.GetString()!);
                    }
                    else
                    {
                        Error($"{name}[{index}]", $"must be a string, not {Kind(item)}");
                    }

                    index++;
                }

                return new Optional<IReadOnlyList<string>?>(true, items);
            default:
                Error(name, $"must be an array of strings, not {Kind(value)}");
                return Optional<IReadOnlyList<string>?>.Absent;
        }
    }

    public IReadOnlyList<string> Strings(string name) => OptionalStrings(name).Or(null) ?? [];

    public Optional<DateTime?> OptionalTimestamp(string name)
    {
        if (!_root.TryGetProperty(name, out var value))
        {
            return Optional<DateTime?>.Absent;
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            return new Optional<DateTime?>(true, null);
        }

        var parsed = value.ValueKind == JsonValueKind.String ? ApiJson.ParseTimestamp(value.GetString()) : null;
        if (parsed is null)
        {
            Error(name, "must be an RFC 3339 timestamp such as 2026-11-24T09:00:00Z");
            return Optional<DateTime?>.Absent;
        }

        return new Optional<DateTime?>(true, ClockExtensions.TruncateToMs(parsed.Value));
    }

    public long? Long(string name)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        Error(name, $"must be a whole number, not {Kind(value)}");
        return null;
    }

    /// <summary>A JSON object field (an inbox's <c>metadata</c>): absent, null, or the object as sent.</summary>
    public Optional<JsonElement?> OptionalObject(string name)
    {
        if (!_root.TryGetProperty(name, out var value))
        {
            return Optional<JsonElement?>.Absent;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return new Optional<JsonElement?>(true, null);
            case JsonValueKind.Object:
                return new Optional<JsonElement?>(true, value);
            default:
                Error(name, $"must be an object, not {Kind(value)}");
                return Optional<JsonElement?>.Absent;
        }
    }

    public IReadOnlyList<JsonElement> Objects(string name)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Error(name, $"must be an array, not {Kind(value)}");
            return [];
        }

        var items = value.EnumerateArray().ToList();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].ValueKind != JsonValueKind.Object)
            {
                Error($"{name}[{i}]", $"must be an object, not {Kind(items[i])}");
            }
        }

        return items.Where(i => i.ValueKind == JsonValueKind.Object).ToList();
    }

    /// <summary>A string field of an object inside the body (an attachment's <c>filename</c>); <paramref name="path"/> names the object.</summary>
    public string? String(JsonElement item, string path, string name)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        Error($"{path}.{name}", $"must be a string, not {Kind(value)}");
        return null;
    }

    /// <summary>
    /// The parser accepts bytes that are not UTF-8 inside strings and escapes of lone UTF-16 surrogates
    /// (<c>"\ud800"</c>); either only fails later, when the string is read, as an exception that is no 400. So every
    /// string and field name in the body is checked once, here, before anything reads it, and each bad one is named
    /// by its path (<c>to[0]</c>, <c>attachments[0].filename</c>; a bad field name by its parent, or <c>body</c>).
    /// </summary>
    private static void CheckText(JsonElement element, string path, List<FieldError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var raw = JsonMarshal.GetRawUtf8PropertyName(property);
                    var problem = !Utf8.IsValid(raw) ? NotUtf8
                        : raw.Contains((byte)'\\') && !Decodes(property) ? LoneSurrogate
                        : null;
                    if (problem is not null)
                    {
                        errors.Add(new FieldError(path.Length == 0 ? "body" : path, $"has a field name that {problem}"));
                        continue;
                    }

                    CheckText(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", errors);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    CheckText(item, $"{path}[{index++}]", errors);
                }

                break;
            case JsonValueKind.String:
                var value = JsonMarshal.GetRawUtf8Value(element);
                if (!Utf8.IsValid(value))
                {
                    errors.Add(new FieldError(path, NotUtf8));
                }
                else if (value.Contains((byte)'\\') && !Decodes(element))
                {
                    errors.Add(new FieldError(path, LoneSurrogate));
                }

                break;
        }
    }

    /// <summary>Only a string with escapes can hide a lone surrogate; System.Text.Json itself says whether it decodes.</summary>
    private static bool Decodes(JsonElement value)
    {
        try
        {
            _ = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool Decodes(JsonProperty property)
    {
        try
        {
            _ = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
