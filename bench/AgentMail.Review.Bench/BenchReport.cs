using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentMail.Review.Bench;

/// <summary>One measured number, with the goal it is read against (if any) and whether it met it.</summary>
public sealed record Figure(string Key, string Scenario, string Label, double Value, string Unit, string? Goal, bool? Met, string? Note = null);

/// <summary>A list query exactly as the server issued it, and what SQLite plans to do with it.</summary>
public sealed record QueryPlan(string Shape, string Sql, IReadOnlyList<string> Plan, bool UsesIndex, bool FullScanOfTable, bool TempBTree, bool PerRowSubquery);

public sealed record MachineInfo(int Cores, string Memory, string Cpu, string Os, string Runtime, string Sqlite);

/// <summary>Everything a run measured, printed as it comes in and written as JSON and markdown at the end.</summary>
public sealed class BenchReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string Mode { get; init; } = "full";

    public string Command { get; init; } = "";

    public DateTimeOffset StartedAt { get; init; }

    public double DurationSeconds { get; set; }

    public required MachineInfo Machine { get; init; }

    public string? ServerRevision { get; init; }

    /// <summary>Load averages at the start and the end: other work on the machine skews every figure.</summary>
    public string LoadAtStart { get; init; } = "";

    public string LoadAtEnd { get; set; } = "";

    public IReadOnlyDictionary<string, string> ServerSettings { get; init; } = new Dictionary<string, string>();

    public List<Figure> Figures { get; } = [];

    public Dictionary<string, List<QueryPlan>> QueryPlans { get; } = [];

    public List<string> Findings { get; } = [];

    public void Add(Figure figure)
    {
        Figures.Add(figure);
        var verdict = figure.Met switch { true => "met", false => "MISSED", null => "" };
        var goal = figure.Goal is null ? "" : $"goal {figure.Goal}";
        Console.WriteLine($"  {figure.Label,-58} {Format(figure.Value, figure.Unit),14}   {goal,-26} {verdict}{(figure.Note is null ? "" : $"  ({figure.Note})")}");
    }

    public void Note(string finding)
    {
        Findings.Add(finding);
        Console.WriteLine($"  note: {finding}");
    }

    public async Task WriteAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "results.json"), JsonSerializer.Serialize(this, Json));
        await File.WriteAllTextAsync(Path.Combine(folder, "results.md"), ToMarkdown());
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# AgentMail Review benchmark results ({Mode})");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{Command}`");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Started: {StartedAt:yyyy-MM-dd HH:mm} UTC, took {DurationSeconds:0} s");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Machine.Cores} cores, {Machine.Memory}, {Machine.Cpu}; {Machine.Os}; {Machine.Runtime}; SQLite {Machine.Sqlite}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Load average (1, 5, 15 min): {LoadAtStart} at the start, {LoadAtEnd} at the end");
        if (ServerRevision is not null)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- Server: {ServerRevision}");
        }

        if (ServerSettings.Count > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- Extra server settings: {string.Join(", ", ServerSettings.Select(s => $"`{s.Key}={s.Value}`"))}");
        }

        foreach (var scenario in Figures.Select(f => f.Scenario).Distinct())
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {scenario}");
            md.AppendLine();
            md.AppendLine("| figure | value | goal | |");
            md.AppendLine("|---|---:|---|---|");
            foreach (var f in Figures.Where(f => f.Scenario == scenario))
            {
                var verdict = f.Met switch { true => "met", false => "**missed**", null => "" };
                var label = f.Note is null ? f.Label : $"{f.Label} ({f.Note})";
                md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {Format(f.Value, f.Unit)} | {f.Goal ?? ""} | {verdict} |");
            }
        }

        if (QueryPlans.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Query plans of the list queries the server issued");
            foreach (var (store, plans) in QueryPlans)
            {
                md.AppendLine();
                md.AppendLine(CultureInfo.InvariantCulture, $"### {store}");
                foreach (var plan in plans)
                {
                    md.AppendLine();
                    md.AppendLine(CultureInfo.InvariantCulture, $"{plan.Shape}:");
                    md.AppendLine();
                    md.AppendLine("```");
                    foreach (var line in plan.Plan)
                    {
                        md.AppendLine(line);
                    }

                    md.AppendLine("```");
                }
            }
        }

        if (Findings.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Notes");
            md.AppendLine();
            foreach (var finding in Findings)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {finding}");
            }
        }

        return md.ToString();
    }

    public static string Format(double value, string unit) => unit switch
    {
        "ms" => value.ToString(value < 10 ? "0.00" : value < 100 ? "0.0" : "#,0", CultureInfo.InvariantCulture) + " ms",
        "s" => value.ToString(value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " s",
        "x" => value.ToString("0.00", CultureInfo.InvariantCulture) + "×",
        "/s" => value.ToString("#,0", CultureInfo.InvariantCulture) + " /s",
        "%" => value.ToString("0", CultureInfo.InvariantCulture) + " %",
        "" or "count" => value.ToString("#,0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.##", CultureInfo.InvariantCulture) + " " + unit,
    };
}

public static class Stats
{
    /// <summary>Nearest-rank percentile of an unsorted sample.</summary>
    public static double Percentile(IReadOnlyCollection<double> sample, double p)
    {
        if (sample.Count == 0)
        {
            return double.NaN;
        }

        var sorted = sample.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
