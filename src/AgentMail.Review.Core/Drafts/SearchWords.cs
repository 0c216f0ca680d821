using System.Text;

namespace AgentMail.Review.Core.Drafts;

/// <summary>
/// The words of a search box's text, as every store's index cuts text: runs of letters and digits. Anything else the
/// supervisor types (quotes, <c>*</c>, <c>:</c>, <c>&amp;</c>, <c>NEAR</c> as punctuation) only separates words, so
/// nothing typed is read as a provider's query syntax.
/// </summary>
public static class SearchWords
{
    /// <summary>More words than anyone types into a search box; the rest are ignored rather than refused.</summary>
    public const int MaxWords = 16;

    public static IReadOnlyList<string> Of(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in text + " ")
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }

        return words.Distinct(StringComparer.OrdinalIgnoreCase).Take(MaxWords).ToList();
    }
}
