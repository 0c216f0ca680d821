using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentMail.Review.Core.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Conversations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "SentBy",
                table: "messages",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<string>(
                name: "DraftId",
                table: "messages",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT");

            migrationBuilder.CreateTable(
                name: "message_mime",
                columns: table => new
                {
                    MessageId = table.Column<string>(type: "TEXT", nullable: false),
                    Mime = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_mime", x => x.MessageId);
                });

            migrationBuilder.CreateTable(
                name: "threads",
                columns: table => new
                {
                    ThreadId = table.Column<string>(type: "TEXT", nullable: false),
                    InboxId = table.Column<string>(type: "TEXT", nullable: false),
                    Labels = table.Column<string>(type: "TEXT", nullable: false),
                    UserLabels = table.Column<string>(type: "TEXT", nullable: false),
                    Senders = table.Column<string>(type: "TEXT", nullable: false),
                    Recipients = table.Column<string>(type: "TEXT", nullable: false),
                    Subject = table.Column<string>(type: "TEXT", nullable: true),
                    Preview = table.Column<string>(type: "TEXT", nullable: true),
                    LastMessageId = table.Column<string>(type: "TEXT", nullable: true),
                    MessageCount = table.Column<int>(type: "INTEGER", nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                    ReceivedTimestamp = table.Column<long>(type: "INTEGER", nullable: true),
                    SentTimestamp = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_threads", x => x.ThreadId);
                });

            // Every message sent so far joins a thread row, summarised from the thread's latest message.
            migrationBuilder.Sql("""
                INSERT INTO threads (ThreadId, InboxId, Labels, UserLabels, Senders, Recipients, Subject, Preview, LastMessageId,
                                     MessageCount, Size, Timestamp, ReceivedTimestamp, SentTimestamp, CreatedAt, UpdatedAt)
                SELECT t.ThreadId, m.InboxId, '["sent"]', '[]', json_array(m."From"), m."To", m.Subject, m.Preview, m.MessageId,
                       t.Count, t.Size, t.Latest, NULL, t.Latest, t.First, t.Latest
                FROM (SELECT ThreadId, count(*) AS Count, sum(Size) AS Size, max(Timestamp) AS Latest, min(CreatedAt) AS First
                      FROM messages GROUP BY ThreadId) AS t
                JOIN messages AS m ON m.ThreadId = t.ThreadId AND m.Timestamp = t.Latest
                GROUP BY t.ThreadId;
                """);

            migrationBuilder.CreateIndex(
                name: "IX_messages_ThreadId_Timestamp",
                table: "messages",
                columns: new[] { "ThreadId", "Timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_threads_InboxId_Timestamp_ThreadId",
                table: "threads",
                columns: new[] { "InboxId", "Timestamp", "ThreadId" });

            migrationBuilder.CreateIndex(
                name: "IX_threads_Timestamp_ThreadId",
                table: "threads",
                columns: new[] { "Timestamp", "ThreadId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_mime");

            migrationBuilder.DropTable(
                name: "threads");

            migrationBuilder.DropIndex(
                name: "IX_messages_ThreadId_Timestamp",
                table: "messages");

            migrationBuilder.AlterColumn<string>(
                name: "SentBy",
                table: "messages",
                type: "TEXT",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "DraftId",
                table: "messages",
                type: "TEXT",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldNullable: true);
        }
    }
}
