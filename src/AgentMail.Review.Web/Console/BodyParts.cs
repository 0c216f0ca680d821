using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// Whether a draft's plain-text and html parts say the same thing. Recipients whose mail client shows the text part
/// read something else than the supervisor approved in the html frame, so the pane warns when they disagree.
/// </summary>
public static partial class BodyParts
{
    /// <summary>Words only one of the parts has (each list at most a few, for the warning), or null when they agree.</summary>
    public sealed record Disagreement(IReadOnlyList<string> OnlyInText, IReadOnlyList<string> OnlyInHtml);

    private static readonly HtmlParser Parser = new();

    /// <summary>
    /// The parts agree when every word of one is somewhere in the other (order, repeats, case, punctuation and links
    /// aside: an html part's link text repeats words, a text part spells out the addresses). One word is enough to
    /// disagree: "100 euros" against "80 euros" is the difference that matters.
    /// </summary>
    public static Disagreement? Compare(string? text, string? html)
    {
        if (string.IsNullOrWhiteSpace(text) || string.IsNullOrWhiteSpace(html))
        {
            return null;
        }

        var textWords = Words(text);
        var htmlWords = Words(HtmlText(html));
        var inText = textWords.ToHashSet();
        var inHtml = htmlWords.ToHashSet();
        var onlyInText = textWords.Where(w => !inHtml.Contains(w)).Distinct().ToList();
        var onlyInHtml = htmlWords.Where(w => !inText.Contains(w)).Distinct().ToList();
        return onlyInText.Count == 0 && onlyInHtml.Count == 0 ? null : new Disagreement(onlyInText.Take(8).ToList(), onlyInHtml.Take(8).ToList());
    }

    /// <summary>The words a reader sees in the html: tags, scripts and styles gone, entities decoded.</summary>
    public static string HtmlText(string html)
    {
        var document = Parser.ParseDocument(html);
        foreach (var hidden in document.QuerySelectorAll("script, style, head, title").ToList())
        {
            hidden.Remove();
        }

        foreach (var breaking in document.QuerySelectorAll("br, p, div, li, tr, td, th, table, ul, ol, blockquote, section, article, header, footer, h1, h2, h3, h4, h5, h6, img, hr").ToList())
        {
            breaking.Before(document.CreateTextNode(" "));
        }

        return document.Body?.TextContent ?? document.DocumentElement.TextContent;
    }

    /// <summary>Lower-case words, links left out: a text part spells out the addresses an html part hides behind its links.</summary>
    private static List<string> Words(string text) =>
        WordPattern().Matches(UrlPattern().Replace(text, " ")).Select(m => m.Value.ToLowerInvariant()).ToList();

    [GeneratedRegex(@"\b(?:https?://|mailto:|www\.)\S+", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:['’][\p{L}]+)?")]
    private static partial Regex WordPattern();
}
