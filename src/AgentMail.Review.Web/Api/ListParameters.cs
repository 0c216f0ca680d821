using System.Text.Json;
using AgentMail.Review.Core.Common;
using Microsoft.Extensions.Primitives;

namespace AgentMail.Review.Web.Api;

/// <summary>Reads AgentMail's list parameters from the query string, naming any that is malformed.</summary>
public static class ListParameters
{
    public static ListRequest Read(HttpRequest request)
    {
        var query = request.Query;
        var errors = new List<FieldError>();

        var limit = ListRequest.DefaultLimit;
        if (query.TryGetValue("limit", out var limitText) && !StringValues.IsNullOrEmpty(limitText))
        {
            if (!int.TryParse(limitText, out limit) || limit < 1 || limit > ListRequest.MaxLimit)
            {
                errors.Add(new FieldError("limit", $"must be a whole number from 1 to {ListRequest.MaxLimit}"));
            }
        }

        PageToken? token = null;
        if (query.TryGetValue("page_token", out var tokenText) && !StringValues.IsNullOrEmpty(tokenText))
        {
            try
            {
                token = PageToken.Decode(tokenText.ToString());
            }
            catch (ValidationException e)
            {
                errors.AddRange(e.Errors);
            }
        }

        var labels = ReadLabels(query["labels"], errors);
        var before = ReadTimestamp(query, "before", errors);
        var after = ReadTimestamp(query, "after", errors);

        var ascending = false;
        if (query.TryGetValue("ascending", out var ascendingText) && !StringValues.IsNullOrEmpty(ascendingText) && !bool.TryParse(ascendingText, out ascending))
        {
            errors.Add(new FieldError("ascending", "must be true or false"));
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        return new ListRequest { Limit = limit, PageToken = token, Labels = labels, Before = before, After = after, Ascending = ascending };
    }

    /// <summary>The official SDKs send <c>labels=["a","b"]</c> (JSON array text); plain repeated <c>labels=a</c> works too.</summary>
    private static List<string> ReadLabels(StringValues values, List<FieldError> errors)
    {
        var labels = new List<string>();
        foreach (var value in values)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (value.TrimStart().StartsWith('['))
            {
                try
                {
                    labels.AddRange(JsonSerializer.Deserialize<string[]>(value) ?? []);
                }
                catch (JsonException)
                {
                    errors.Add(new FieldError("labels", "must be a JSON array of strings or repeated labels=… parameters"));
                }
            }
            else
            {
                labels.Add(value);
            }
        }

        return labels.Where(l => !string.IsNullOrWhiteSpace(l)).Distinct().ToList();
    }

    private static DateTime? ReadTimestamp(IQueryCollection query, string name, List<FieldError> errors)
    {
        if (!query.TryGetValue(name, out var text) || StringValues.IsNullOrEmpty(text))
        {
            return null;
        }

        var value = ApiJson.ParseTimestamp(text);
        if (value is null)
        {
            errors.Add(new FieldError(name, "must be an RFC 3339 timestamp such as 2026-11-24T09:00:00Z"));
        }

        return value;
    }
}
