using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace AgentMail.Review.Bench;

/// <summary>What a seeded store holds, so the list figures can say what they were measured against.</summary>
public sealed record SeededStore(int Drafts, int Scheduled, int Failed, int Pending, int Inboxes, TimeSpan Took);

/// <summary>
/// Fills a store the server has already migrated, straight through SQLite: one transaction, prepared commands, rows
/// shaped exactly as the server writes them (UTC ticks in INTEGER columns, states as text, lists as JSON text).
/// Going through the API would take longer than everything measured afterwards.
/// </summary>
public static class StoreSeeder
{
    public const int InboxCount = 20;
    public const string Domain = "agents.localhost.test";
    public const string FollowUpLabel = "follow-up";

    /// <summary>One draft in four is scheduled, one in twenty failed, the rest wait for a person.</summary>
    public static SeededStore Seed(string databasePath, int drafts, DateTime now)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA synchronous=OFF;");

        using var transaction = connection.BeginTransaction();
        var inboxes = new string[InboxCount];
        using (var insertInbox = connection.CreateCommand())
        {
            insertInbox.Transaction = transaction;
            insertInbox.CommandText = """
                INSERT INTO inboxes (InboxId, DisplayName, ClientId, ReviewRequired, CreatedAt, UpdatedAt)
                VALUES ($id, $name, NULL, 0, $at, $at)
                """;
            var id = insertInbox.Parameters.Add("$id", SqliteType.Text);
            var name = insertInbox.Parameters.Add("$name", SqliteType.Text);
            var at = insertInbox.Parameters.Add("$at", SqliteType.Integer);
            insertInbox.Prepare();
            for (var i = 0; i < InboxCount; i++)
            {
                inboxes[i] = InboxName(i);
                id.Value = inboxes[i];
                name.Value = $"Bench agent {i + 1}";
                at.Value = now.AddDays(-60).Ticks;
                insertInbox.ExecuteNonQuery();
            }
        }

        var counts = new SeedCounts();
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO drafts (DraftId, InboxId, ClientId, "To", Cc, Bcc, ReplyTo, Labels, Subject, Text, Html, Preview,
                                    InReplyTo, "References", ThreadId, SendAt, State, FailureReason, CreatedAt, UpdatedAt, Version, Attachments)
                VALUES ($id, $inbox, NULL, $to, '[]', '[]', '[]', $labels, $subject, $text, NULL, $preview,
                        NULL, '[]', $thread, $sendAt, $state, $failure, $createdAt, $updatedAt, 1, '[]')
                """;
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var inbox = insert.Parameters.Add("$inbox", SqliteType.Text);
            var to = insert.Parameters.Add("$to", SqliteType.Text);
            var labels = insert.Parameters.Add("$labels", SqliteType.Text);
            var subject = insert.Parameters.Add("$subject", SqliteType.Text);
            var text = insert.Parameters.Add("$text", SqliteType.Text);
            var preview = insert.Parameters.Add("$preview", SqliteType.Text);
            var thread = insert.Parameters.Add("$thread", SqliteType.Text);
            var sendAt = insert.Parameters.Add("$sendAt", SqliteType.Integer);
            var state = insert.Parameters.Add("$state", SqliteType.Text);
            var failure = insert.Parameters.Add("$failure", SqliteType.Text);
            var createdAt = insert.Parameters.Add("$createdAt", SqliteType.Integer);
            var updatedAt = insert.Parameters.Add("$updatedAt", SqliteType.Integer);
            insert.Prepare();
            foreach (var draft in Rows(inboxes, drafts, now, counts))
            {
                id.Value = draft.DraftId;
                inbox.Value = draft.InboxId;
                to.Value = JsonSerializer.Serialize(draft.To);
                labels.Value = JsonSerializer.Serialize(draft.Labels);
                subject.Value = draft.Subject;
                text.Value = draft.Text;
                preview.Value = draft.Preview;
                thread.Value = draft.ThreadId;
                sendAt.Value = draft.SendAt is { } at ? at.Ticks : DBNull.Value;
                state.Value = draft.State;
                failure.Value = (object?)draft.FailureReason ?? DBNull.Value;
                createdAt.Value = draft.CreatedAt.Ticks;
                updatedAt.Value = draft.UpdatedAt.Ticks;
                insert.ExecuteNonQuery();
            }
        }

        transaction.Commit();
        Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        return new SeededStore(drafts, counts.Scheduled, counts.Failed, counts.Pending, InboxCount, clock.Elapsed);
    }

    public static string InboxName(int i) => $"bench-agent-{i + 1:00}@{Domain}";

    /// <summary>A seeded draft, as either store's seeder writes it.</summary>
    public sealed record SeedDraft(
        string DraftId, string InboxId, string[] To, string[] Labels, string Subject, string Text, string Preview, string ThreadId,
        DateTime? SendAt, string State, string? FailureReason, DateTime CreatedAt, DateTime UpdatedAt);

    public sealed class SeedCounts
    {
        public int Scheduled { get; set; }

        public int Failed { get; set; }

        public int Pending { get; set; }
    }

    /// <summary>
    /// The drafts a store of <paramref name="drafts"/> holds, the same for every store: spread over the last 30 days,
    /// newest first; every 20th draft shares its neighbour's updated_at to the millisecond (bulk actions do that), so
    /// the keyset's tie-break on draft_id is exercised too.
    /// </summary>
    public static IEnumerable<SeedDraft> Rows(string[] inboxes, int drafts, DateTime now, SeedCounts counts)
    {
        var random = new Random(20261124);
        var spanMs = TimeSpan.FromDays(30).TotalMilliseconds;
        var previousUpdated = now;
        for (var i = 0; i < drafts; i++)
        {
            var updated = i % 20 == 19 ? previousUpdated : now.AddMilliseconds(-Math.Floor((i + 1) * spanMs / drafts));
            previousUpdated = updated;
            var created = updated.AddMilliseconds(-random.Next(0, 2 * 24 * 3600 * 1000));
            var body = $"Hello {Name(random)}, following up on order #{random.Next(10_000, 99_999)}. " +
                       "Your replacement ships this week; tracking follows in a separate email. Reply if anything is missing. " +
                       $"Regards, agent {i % InboxCount + 1}";
            var to = new[] { $"customer-{random.Next(1, 50_000)}@example.com" };
            var subject = $"Re: order #{random.Next(10_000, 99_999)}";
            var preview = body.Length > 100 ? body[..100] : body;
            var id = Guid.CreateVersion7(new DateTimeOffset(created)).ToString();
            var thread = Guid.CreateVersion7(new DateTimeOffset(created)).ToString();
            var inbox = inboxes[i % InboxCount];
            switch (i % 20)
            {
                case < 5:
                    counts.Scheduled++;
                    // Far enough ahead that nothing leaves while the lists are measured.
                    var sendAt = now.AddDays(1).AddMinutes(random.Next(0, 30 * 24 * 60));
                    yield return new SeedDraft(id, inbox, to, i % 7 == 0 ? [FollowUpLabel, "scheduled"] : ["scheduled"], subject, body, preview, thread,
                        sendAt, "Scheduled", null, created, updated);
                    break;
                case 5:
                    counts.Failed++;
                    yield return new SeedDraft(id, inbox, to, [], subject, body, preview, thread,
                        updated, "Failed", "550 5.1.1 <customer@example.com>: mailbox unavailable", created, updated);
                    break;
                default:
                    counts.Pending++;
                    yield return new SeedDraft(id, inbox, to, i % 7 == 0 ? [FollowUpLabel] : [], subject, body, preview, thread,
                        null, "Pending", null, created, updated);
                    break;
            }
        }
    }

    public static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Makes the write-ahead log part of the main file, so a copy of the file alone is the whole store.</summary>
    public static void Checkpoint(string databasePath)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static readonly string[] Names = ["Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Edsger", "Radia"];

    private static string Name(Random random) => Names[random.Next(Names.Length)];
}
