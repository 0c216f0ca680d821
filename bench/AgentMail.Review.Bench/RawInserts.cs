using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace AgentMail.Review.Bench;

/// <summary>
/// The baseline for API creates: the same draft rows inserted straight into the same schema, one INSERT per row in
/// its own (automatic) transaction, with the server's journal mode and synchronous setting.
/// </summary>
public static class RawInserts
{
    public sealed record Result(int Rows, double Seconds)
    {
        public double PerSecond => Rows / Seconds;
    }

    public static Result Run(string databasePath, IReadOnlyList<CreateScenario.DraftRow> rows, int writers, CreateScenario.StorePragmas pragmas)
    {
        var connections = Enumerable.Range(0, writers).Select(_ => Open(databasePath, pragmas)).ToList();
        try
        {
            AddInboxes(connections[0], rows.Select(r => r.InboxId).Distinct());
            var next = -1;
            var clock = Stopwatch.StartNew();
            var threads = connections.Select(connection => new Thread(() =>
            {
                using var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO drafts (DraftId, InboxId, ClientId, "To", Cc, Bcc, ReplyTo, Labels, Subject, Text, Html, Preview,
                                        InReplyTo, "References", ThreadId, SendAt, State, FailureReason, CreatedAt, UpdatedAt, Version, Attachments)
                    VALUES ($id, $inbox, NULL, $to, '[]', '[]', '[]', '[]', $subject, $text, NULL, $text,
                            NULL, '[]', $thread, NULL, 'Pending', NULL, $at, $at, 1, '[]')
                    """;
                var id = insert.Parameters.Add("$id", SqliteType.Text);
                var inbox = insert.Parameters.Add("$inbox", SqliteType.Text);
                var to = insert.Parameters.Add("$to", SqliteType.Text);
                var subject = insert.Parameters.Add("$subject", SqliteType.Text);
                var text = insert.Parameters.Add("$text", SqliteType.Text);
                var thread = insert.Parameters.Add("$thread", SqliteType.Text);
                var at = insert.Parameters.Add("$at", SqliteType.Integer);
                insert.Prepare();
                while (Interlocked.Increment(ref next) is var n && n < rows.Count)
                {
                    var row = rows[n];
                    id.Value = row.DraftId;
                    inbox.Value = row.InboxId;
                    to.Value = JsonSerializer.Serialize(new[] { row.To });
                    subject.Value = row.Subject;
                    text.Value = row.Text;
                    thread.Value = row.ThreadId;
                    at.Value = row.CreatedTicks;
                    insert.ExecuteNonQuery();
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            return new Result(rows.Count, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }
    }

    private static void AddInboxes(SqliteConnection connection, IEnumerable<string> inboxes)
    {
        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO inboxes (InboxId, DisplayName, ClientId, ReviewRequired, CreatedAt, UpdatedAt)
            VALUES ($id, NULL, NULL, 0, $at, $at)
            """;
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        insert.Parameters.AddWithValue("$at", DateTime.UtcNow.Ticks);
        foreach (var inbox in inboxes)
        {
            id.Value = inbox;
            insert.ExecuteNonQuery();
        }
    }

    private static SqliteConnection Open(string databasePath, CreateScenario.StorePragmas pragmas)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA journal_mode={pragmas.JournalMode}; PRAGMA synchronous={pragmas.Synchronous};";
        command.ExecuteNonQuery();
        return connection;
    }
}
