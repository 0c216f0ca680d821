namespace AgentMail.Review.Web.Console;

/// <summary>A line-by-line comparison of two texts (longest common subsequence), for "Changes from the agent's version".</summary>
public static class LineDiff
{
    public enum Kind
    {
        Same,
        Removed,
        Added,
    }

    public sealed record Line(Kind Kind, string Text);

    /// <summary>Past this many lines a side, the texts are shown whole, removed then added, rather than compared line by line.</summary>
    private const int MaxLines = 2000;

    public static IReadOnlyList<Line> Compare(string? before, string? after)
    {
        var a = Split(before);
        var b = Split(after);
        if (a.Length > MaxLines || b.Length > MaxLines)
        {
            return [.. a.Select(l => new Line(Kind.Removed, l)), .. b.Select(l => new Line(Kind.Added, l))];
        }

        var lengths = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lengths[i, j] = a[i] == b[j] ? lengths[i + 1, j + 1] + 1 : Math.Max(lengths[i + 1, j], lengths[i, j + 1]);
            }
        }

        var lines = new List<Line>();
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y])
            {
                lines.Add(new Line(Kind.Same, a[x]));
                x++;
                y++;
            }
            else if (lengths[x + 1, y] >= lengths[x, y + 1])
            {
                lines.Add(new Line(Kind.Removed, a[x++]));
            }
            else
            {
                lines.Add(new Line(Kind.Added, b[y++]));
            }
        }

        lines.AddRange(a.Skip(x).Select(l => new Line(Kind.Removed, l)));
        lines.AddRange(b.Skip(y).Select(l => new Line(Kind.Added, l)));
        return lines;
    }

    private static string[] Split(string? text) => string.IsNullOrEmpty(text) ? [] : text.ReplaceLineEndings("\n").Split('\n');
}
