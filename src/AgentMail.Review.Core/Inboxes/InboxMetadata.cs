using System.Text.Json;
using System.Text.Json.Nodes;
using AgentMail.Review.Core.Drafts;

namespace AgentMail.Review.Core.Inboxes;

/// <summary>
/// AgentMail's inbox <c>metadata</c>: up to 256 keys, each a string, number or boolean; keys and string values at most
/// 256 characters. An update merges into what is stored: a key sent as null is removed, <c>metadata: null</c> clears
/// everything, and an empty object is refused (null is how to clear).
/// </summary>
public static class InboxMetadata
{
    public const int MaxKeys = 256;
    public const int MaxLength = 256;

    /// <summary>Checks a create's metadata; stores it as JSON text (null for none).</summary>
    public static string? ForCreate(DraftValidator.Errors errors, JsonElement? metadata)
    {
        if (metadata is not { } value || !CheckShape(errors, value, allowNullValues: false))
        {
            return null;
        }

        var merged = Merge(null, value);
        CheckCount(errors, merged);
        return merged.Count == 0 ? null : merged.ToJsonString();
    }

    /// <summary>Checks an update's metadata and merges it into <paramref name="stored"/>; null clears everything.</summary>
    public static string? ForUpdate(DraftValidator.Errors errors, string? stored, JsonElement? metadata)
    {
        if (metadata is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any())
        {
            errors.Add("metadata", "an empty object changes nothing; send null to clear the metadata, or a key with null to remove it");
            return stored;
        }

        if (!CheckShape(errors, value, allowNullValues: true))
        {
            return stored;
        }

        var merged = Merge(stored, value);
        CheckCount(errors, merged);
        return merged.Count == 0 ? null : merged.ToJsonString();
    }

    private static bool CheckShape(DraftValidator.Errors errors, JsonElement metadata, bool allowNullValues)
    {
        if (metadata.ValueKind != JsonValueKind.Object)
        {
            errors.Add("metadata", "must be an object of keys and values");
            return false;
        }

        var valid = true;
        foreach (var property in metadata.EnumerateObject())
        {
            var field = $"metadata.{property.Name}";
            string? problem = null;
            if (property.Name.Length is 0 or > MaxLength)
            {
                problem = $"a key must be 1 to {MaxLength} characters";
            }
            else if (property.Name.Any(char.IsControl))
            {
                problem = "a key may not contain control characters";
            }
            else
            {
                problem = property.Value.ValueKind switch
                {
                    JsonValueKind.String when property.Value.GetString()!.Length > MaxLength => $"a string value may be at most {MaxLength} characters",
                    JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => null,
                    JsonValueKind.Null when allowNullValues => null,
                    JsonValueKind.Null => "must be a string, number or boolean (null removes a key only in an update)",
                    _ => "must be a string, number or boolean",
                };
            }

            if (problem is not null)
            {
                errors.Add(field, problem);
                valid = false;
            }
        }

        return valid;
    }

    private static JsonObject Merge(string? stored, JsonElement patch)
    {
        var merged = stored is null ? new JsonObject() : JsonNode.Parse(stored)!.AsObject();
        foreach (var property in patch.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                merged.Remove(property.Name);
            }
            else
            {
                merged[property.Name] = JsonNode.Parse(property.Value.GetRawText());
            }
        }

        return merged;
    }

    private static void CheckCount(DraftValidator.Errors errors, JsonObject merged)
    {
        if (merged.Count > MaxKeys)
        {
            errors.Add("metadata", $"an inbox may have at most {MaxKeys} metadata keys; this would make {merged.Count}");
        }
    }
}
