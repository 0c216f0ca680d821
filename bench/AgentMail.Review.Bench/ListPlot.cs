using System.Globalization;
using System.Text;

namespace AgentMail.Review.Bench;

/// <summary>
/// Draws list latency (p95, and p50 dashed) against store size as an SVG: one line per list shape, store size on a
/// log scale, so "flat as the store grows" can be seen at a glance.
/// </summary>
public static class ListPlot
{
    private const int Width = 900;
    private const int Height = 440;
    private const int Left = 64;
    private const int Right = 280;
    private const int Top = 40;
    private const int Bottom = 56;

    private static readonly string[] Colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

    /// <summary>Writes the plot for the sizes measured, or nothing when fewer than two sizes were.</summary>
    public static string? Write(BenchReport report, IReadOnlyList<int> sizes, string folder)
    {
        var measured = sizes.Where(s => report.Figures.Any(f => f.Key == $"list.{s}.all.page1.p95_ms")).Order().ToList();
        if (measured.Count < 2)
        {
            return null;
        }

        var series = new List<(string Name, string Colour, List<(int Size, double P50, double P95)> Points)>();
        var colour = 0;
        foreach (var (kind, who, _) in ListScenario.Kinds)
        {
            foreach (var page in new[] { "page1", "page20" })
            {
                var points = measured
                    .Select(size => (size, P50: Value(report, $"list.{size}.{kind}.{page}.p50_ms"), P95: Value(report, $"list.{size}.{kind}.{page}.p95_ms")))
                    .Where(p => !double.IsNaN(p.P95))
                    .ToList();
                series.Add(($"{who}, {(page == "page1" ? "page 1" : "page 20")}", Colours[colour++ % Colours.Length], points));
            }
        }

        var yMax = Math.Max(ListScenario.LatencyGoalMs * 1.2, series.SelectMany(s => s.Points).Select(p => p.P95).DefaultIfEmpty(0).Max() * 1.1);
        var xMin = Math.Log10(measured[0]);
        var xMax = Math.Log10(measured[^1]);
        double X(int size) => Left + (Math.Log10(size) - xMin) / (xMax - xMin) * (Width - Left - Right);
        double Y(double ms) => Top + (1 - ms / yMax) * (Height - Top - Bottom);

        var svg = new StringBuilder();
        void Line(FormattableString text) => svg.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        Line($"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12">""");
        Line($"""<rect width="{Width}" height="{Height}" fill="white"/>""");
        Line($"""<text x="{Left}" y="22" font-size="14" font-weight="bold">GET /v0/drafts?limit=50: latency against store size (solid p95, dashed p50)</text>""");

        for (var tick = 0.0; tick <= yMax; tick += TickStep(yMax))
        {
            Line($"""<line x1="{Left}" y1="{Y(tick):0.#}" x2="{Width - Right}" y2="{Y(tick):0.#}" stroke="#e5e5e5"/>""");
            Line($"""<text x="{Left - 8}" y="{Y(tick) + 4:0.#}" text-anchor="end">{tick:0.#}</text>""");
        }

        foreach (var size in measured)
        {
            Line($"""<line x1="{X(size):0.#}" y1="{Top}" x2="{X(size):0.#}" y2="{Height - Bottom}" stroke="#e5e5e5"/>""");
            Line($"""<text x="{X(size):0.#}" y="{Height - Bottom + 18}" text-anchor="middle">{size:#,0}</text>""");
        }

        Line($"""<text x="{(Left + Width - Right) / 2}" y="{Height - 12}" text-anchor="middle">drafts in the store (log scale)</text>""");
        Line($"""<text x="16" y="{(Top + Height - Bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 {(Top + Height - Bottom) / 2})">milliseconds</text>""");
        Line($"""<line x1="{Left}" y1="{Y(ListScenario.LatencyGoalMs):0.#}" x2="{Width - Right}" y2="{Y(ListScenario.LatencyGoalMs):0.#}" stroke="#d62728" stroke-dasharray="2 4"/>""");
        Line($"""<text x="{Width - Right - 4}" y="{Y(ListScenario.LatencyGoalMs) - 6:0.#}" text-anchor="end" fill="#d62728">goal: p95 ≤ {ListScenario.LatencyGoalMs:0} ms</text>""");

        var legendY = Top + 8;
        foreach (var (name, seriesColour, points) in series)
        {
            Line($"""<polyline fill="none" stroke="{seriesColour}" stroke-width="2" points="{string.Join(' ', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.Size):0.#},{Y(p.P95):0.#}")))}"/>""");
            Line($"""<polyline fill="none" stroke="{seriesColour}" stroke-width="1.5" stroke-dasharray="5 4" points="{string.Join(' ', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.Size):0.#},{Y(p.P50):0.#}")))}"/>""");
            foreach (var p in points)
            {
                Line($"""<circle cx="{X(p.Size):0.#}" cy="{Y(p.P95):0.#}" r="3" fill="{seriesColour}"/>""");
            }

            Line($"""<line x1="{Width - Right + 12}" y1="{legendY}" x2="{Width - Right + 32}" y2="{legendY}" stroke="{seriesColour}" stroke-width="2"/>""");
            Line($"""<text x="{Width - Right + 38}" y="{legendY + 4}">{System.Net.WebUtility.HtmlEncode(name)}</text>""");
            legendY += 18;
        }

        Line($"</svg>");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "list-latency.svg");
        File.WriteAllText(path, svg.ToString());
        return path;
    }

    private static double Value(BenchReport report, string key) => report.Figures.FirstOrDefault(f => f.Key == key)?.Value ?? double.NaN;

    private static double TickStep(double max) => max switch { <= 10 => 1, <= 25 => 5, <= 100 => 10, _ => Math.Ceiling(max / 10 / 10) * 10 };
}
