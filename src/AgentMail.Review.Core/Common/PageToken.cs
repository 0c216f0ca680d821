using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace AgentMail.Review.Core.Common;

/// <summary>
/// An opaque keyset cursor: the last row's sort key and id, and the direction it was read in. Reading the next page
/// is an index seek from there, so page 2,000 costs what page 1 costs.
/// </summary>
public sealed record PageToken(DateTime At, string Id, bool Ascending)
{
    private sealed record Wire(long T, string I, bool A);

    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Wire(At.Ticks, Id, Ascending))));

    public static PageToken Decode(string token)
    {
        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(Base64Url.DecodeFromChars(token));
            if (wire is null || string.IsNullOrEmpty(wire.I) || wire.T < 0 || wire.T > DateTime.MaxValue.Ticks)
            {
                throw new FormatException();
            }

            return new PageToken(new DateTime(wire.T, DateTimeKind.Utc), wire.I, wire.A);
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            throw new ValidationException("page_token", "is not a page token this server issued");
        }
    }
}

/// <summary>What every list takes: AgentMail's <c>limit</c>, <c>page_token</c>, <c>labels</c>, <c>before</c>, <c>after</c>, <c>ascending</c>.</summary>
public sealed record ListRequest
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public int Limit { get; init; } = DefaultLimit;

    public PageToken? PageToken { get; init; }

    public IReadOnlyList<string> Labels { get; init; } = [];

    public DateTime? Before { get; init; }

    public DateTime? After { get; init; }

    public bool Ascending { get; init; }
}

public sealed record Page<T>(IReadOnlyList<T> Items, int Limit, string? NextPageToken);
