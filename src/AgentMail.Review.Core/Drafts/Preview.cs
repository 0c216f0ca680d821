using System.Net;
using System.Text.RegularExpressions;

namespace AgentMail.Review.Core.Drafts;

/// <summary>The first words of a draft, for lists: from the text part, else from the html with its tags removed.</summary>
public static partial class Preview
{
    public const int Length = 200;

    public static string? Of(string? text, string? html)
    {
        var source = !string.IsNullOrWhiteSpace(text) ? text : html is null ? null : WebUtility.HtmlDecode(Tags().Replace(Invisible().Replace(html, " "), " "));
        if (string.IsNullOrWhiteSpace(source))
        {
            return null;
        }

        var collapsed = Whitespace().Replace(source, " ").Trim();
        return collapsed.Length <= Length ? collapsed : collapsed[..Length];
    }

    [GeneratedRegex(@"<(script|style|head)\b.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Invisible();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
