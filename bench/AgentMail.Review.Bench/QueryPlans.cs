using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace AgentMail.Review.Bench;

/// <summary>A list query as EF Core issued it, from the server's own command log.</summary>
public sealed record CapturedQuery(string Shape, string Sql);

/// <summary>Where the next page starts, read from a page token the server issued (diagnostics only).</summary>
public sealed record KeysetPosition(long UpdatedAtTicks, string DraftId);

/// <summary>
/// Reads the SQL the server sends to SQLite for each list shape (EF Core command logging, JSON console lines) and asks
/// SQLite how it will run it: an index walk with no temp b-tree is what keeps page 20 as cheap as page 1.
/// </summary>
public static partial class QueryPlans
{
    public const string CommandCategory = "Microsoft.EntityFrameworkCore.Database.Command";

    /// <summary>Server settings that log every command as one JSON line.</summary>
    public static IReadOnlyDictionary<string, string> LoggingEnvironment { get; } = new Dictionary<string, string>
    {
        [$"Logging__LogLevel__{CommandCategory}"] = "Information",
        ["Logging__Console__FormatterName"] = "json",
    };

    /// <summary>The drafts list queries in the server's log, one per shape: unfiltered, by label or by state; first or later page.</summary>
    public static List<CapturedQuery> FindListQueries(IEnumerable<string> serverLines)
    {
        var found = new Dictionary<string, string>();
        foreach (var line in serverLines)
        {
            if (!line.StartsWith('{') || !line.Contains(CommandCategory, StringComparison.Ordinal))
            {
                continue;
            }

            string? sql;
            try
            {
                using var entry = JsonDocument.Parse(line);
                sql = entry.RootElement.TryGetProperty("State", out var state) && state.TryGetProperty("commandText", out var text) ? text.GetString() : null;
            }
            catch (JsonException)
            {
                continue;
            }

            if (sql is null || !sql.Contains("FROM \"drafts\"", StringComparison.Ordinal) || !sql.Contains("ORDER BY \"d\".\"UpdatedAt\" DESC", StringComparison.Ordinal))
            {
                continue;
            }

            var kind = sql.Contains("json_each", StringComparison.Ordinal) ? "label"
                : sql.Contains("\"State\" =", StringComparison.Ordinal) ? "state"
                : "all";
            var keyset = sql.Contains("\"UpdatedAt\" <", StringComparison.Ordinal);
            found.TryAdd($"{kind}: {(keyset ? "next page (page_token)" : "first page")}", sql);
        }

        return found.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new CapturedQuery(f.Key, f.Value)).ToList();
    }

    /// <summary><c>EXPLAIN QUERY PLAN</c>, indented as SQLite's own shell shows it.</summary>
    public static QueryPlan Explain(string databasePath, CapturedQuery query)
    {
        using var connection = OpenReadOnly(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + query.Sql;
        foreach (var name in ParameterNames(query.Sql))
        {
            command.Parameters.AddWithValue(name, DBNull.Value);
        }

        var rows = new List<(long Id, long Parent, string Detail)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetString(3)));
            }
        }

        var depth = new Dictionary<long, int> { [0] = -1 };
        var lines = new List<string>();
        foreach (var (id, parent, detail) in rows)
        {
            var level = depth.TryGetValue(parent, out var d) ? d + 1 : 0;
            depth[id] = level;
            lines.Add(new string(' ', level * 2) + detail);
        }

        var usesIndex = lines.Any(l => l.Contains("USING INDEX", StringComparison.Ordinal) || l.Contains("USING COVERING INDEX", StringComparison.Ordinal));
        var fullScan = lines.Any(l => FullTableScan().IsMatch(l.Trim()));
        var tempBTree = lines.Any(l => l.Contains("TEMP B-TREE", StringComparison.Ordinal));
        var perRow = lines.Any(l => l.Contains("CORRELATED", StringComparison.Ordinal));
        return new QueryPlan(query.Shape, query.Sql, lines, usesIndex, fullScan, tempBTree, perRow);
    }

    /// <summary>
    /// Runs the captured SQL straight against the file, with the values the server would bind, reading every column of
    /// every row: what the store costs without HTTP, auth, EF materialisation and JSON.
    /// </summary>
    public static List<double>? TimeDirect(string databasePath, CapturedQuery query, int limit, KeysetPosition? position, string label, int runs)
    {
        using var connection = OpenReadOnly(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = query.Sql;
        foreach (var name in ParameterNames(query.Sql))
        {
            object? value = name switch
            {
                "@p" => limit + 1,
                _ when name.EndsWith("_At", StringComparison.Ordinal) => position?.UpdatedAtTicks,
                _ when name.EndsWith("_Id", StringComparison.Ordinal) => position?.DraftId,
                _ when name.StartsWith("@label", StringComparison.Ordinal) => label,
                _ => null,
            };
            if (value is null)
            {
                return null;
            }

            command.Parameters.AddWithValue(name, value);
        }

        command.Prepare();
        var times = new List<double>(runs);
        for (var run = -10; run < runs; run++)
        {
            var clock = Stopwatch.StartNew();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        _ = reader.GetValue(i);
                    }
                }
            }

            if (run >= 0)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return times;
    }

    /// <summary>The server's page tokens are base64url JSON of the last row's key; read only to time the SQL directly.</summary>
    public static KeysetPosition? DecodePageToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(Base64Url.DecodeFromChars(token));
            return new KeysetPosition(json.RootElement.GetProperty("T").GetInt64(), json.RootElement.GetProperty("I").GetString()!);
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    public static SqliteConnection OpenReadOnly(string databasePath)
    {
        var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    private static IEnumerable<string> ParameterNames(string sql) =>
        Parameter().Matches(sql).Select(m => m.Value).Distinct(StringComparer.Ordinal);

    public static string Summarise(QueryPlan plan) =>
        string.Create(CultureInfo.InvariantCulture, $"{(plan.UsesIndex ? "index walk" : "no index")}, {(plan.FullScanOfTable ? "FULL TABLE SCAN" : "no full table scan")}, {(plan.TempBTree ? "TEMP B-TREE SORT" : "no temp b-tree")}{(plan.PerRowSubquery ? ", a correlated json_each subquery per row walked (rows are filtered one by one, not sought)" : "")}");

    [GeneratedRegex(@"@\w+")]
    private static partial Regex Parameter();

    /// <summary>"SCAN d" on its own: the table, not an index, is read front to back.</summary>
    [GeneratedRegex(@"^SCAN \w+$")]
    private static partial Regex FullTableScan();
}
