using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace AgentMail.Review.Core.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    ApiKeyId = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Prefix = table.Column<string>(type: "text", nullable: false),
                    Hash = table.Column<string>(type: "text", nullable: false),
                    InboxIds = table.Column<List<string>>(type: "text[]", nullable: false),
                    CanSend = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    LastUsedAt = table.Column<long>(type: "bigint", nullable: true),
                    RevokedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_keys", x => x.ApiKeyId);
                });

            migrationBuilder.CreateTable(
                name: "attachment_contents",
                columns: table => new
                {
                    AttachmentId = table.Column<string>(type: "text", nullable: false),
                    Data = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_attachment_contents", x => x.AttachmentId);
                });

            migrationBuilder.CreateTable(
                name: "audit_entries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DraftId = table.Column<string>(type: "text", nullable: false),
                    InboxId = table.Column<string>(type: "text", nullable: false),
                    Action = table.Column<string>(type: "text", nullable: false),
                    ActorKind = table.Column<string>(type: "text", nullable: false),
                    ActorId = table.Column<string>(type: "text", nullable: false),
                    ActorName = table.Column<string>(type: "text", nullable: false),
                    ActorAddress = table.Column<string>(type: "text", nullable: true),
                    Details = table.Column<string>(type: "text", nullable: true),
                    At = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_entries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "event_cursors",
                columns: table => new
                {
                    Consumer = table.Column<string>(type: "text", nullable: false),
                    Position = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_event_cursors", x => x.Consumer);
                });

            migrationBuilder.CreateTable(
                name: "events",
                columns: table => new
                {
                    Position = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    EventId = table.Column<string>(type: "text", nullable: false),
                    EventType = table.Column<string>(type: "text", nullable: false),
                    InboxId = table.Column<string>(type: "text", nullable: false),
                    DraftId = table.Column<string>(type: "text", nullable: true),
                    MessageId = table.Column<string>(type: "text", nullable: true),
                    ThreadId = table.Column<string>(type: "text", nullable: true),
                    OccurredAt = table.Column<long>(type: "bigint", nullable: false),
                    Facts = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_events", x => x.Position);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_keys",
                columns: table => new
                {
                    CallerId = table.Column<string>(type: "text", nullable: false),
                    Operation = table.Column<string>(type: "text", nullable: false),
                    Key = table.Column<string>(type: "text", nullable: false),
                    RequestHash = table.Column<string>(type: "text", nullable: false),
                    ResourceId = table.Column<string>(type: "text", nullable: false),
                    InboxId = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_idempotency_keys", x => new { x.CallerId, x.Operation, x.Key });
                });

            migrationBuilder.CreateTable(
                name: "inboxes",
                columns: table => new
                {
                    InboxId = table.Column<string>(type: "text", nullable: false),
                    DisplayName = table.Column<string>(type: "text", nullable: true),
                    ClientId = table.Column<string>(type: "text", nullable: true),
                    Metadata = table.Column<string>(type: "text", nullable: true),
                    ReviewRequired = table.Column<bool>(type: "boolean", nullable: false),
                    OnReply = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inboxes", x => x.InboxId);
                });

            migrationBuilder.CreateTable(
                name: "message_mime",
                columns: table => new
                {
                    MessageId = table.Column<string>(type: "text", nullable: false),
                    Mime = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_mime", x => x.MessageId);
                });

            migrationBuilder.CreateTable(
                name: "messages",
                columns: table => new
                {
                    MessageId = table.Column<string>(type: "text", nullable: false),
                    ThreadId = table.Column<string>(type: "text", nullable: false),
                    InboxId = table.Column<string>(type: "text", nullable: false),
                    DraftId = table.Column<string>(type: "text", nullable: true),
                    From = table.Column<string>(type: "text", nullable: false),
                    To = table.Column<List<string>>(type: "text[]", nullable: false),
                    Cc = table.Column<List<string>>(type: "text[]", nullable: false),
                    Bcc = table.Column<List<string>>(type: "text[]", nullable: false),
                    ReplyTo = table.Column<List<string>>(type: "text[]", nullable: false),
                    Labels = table.Column<List<string>>(type: "text[]", nullable: false),
                    Subject = table.Column<string>(type: "text", nullable: true),
                    Text = table.Column<string>(type: "text", nullable: true),
                    Html = table.Column<string>(type: "text", nullable: true),
                    Preview = table.Column<string>(type: "text", nullable: true),
                    InReplyTo = table.Column<string>(type: "text", nullable: true),
                    References = table.Column<List<string>>(type: "text[]", nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    Timestamp = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false),
                    SentBy = table.Column<string>(type: "text", nullable: true),
                    Attachments = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_messages", x => x.MessageId);
                });

            migrationBuilder.CreateTable(
                name: "outbox",
                columns: table => new
                {
                    MessageId = table.Column<string>(type: "text", nullable: false),
                    InboxId = table.Column<string>(type: "text", nullable: false),
                    Recipients = table.Column<string>(type: "text", nullable: false),
                    Mime = table.Column<byte[]>(type: "bytea", nullable: false),
                    RecordedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbox", x => x.MessageId);
                });

            migrationBuilder.CreateTable(
                name: "protection_keys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FriendlyName = table.Column<string>(type: "text", nullable: true),
                    Xml = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_protection_keys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "threads",
                columns: table => new
                {
                    ThreadId = table.Column<string>(type: "text", nullable: false),
                    InboxId = table.Column<string>(type: "text", nullable: false),
                    Labels = table.Column<List<string>>(type: "text[]", nullable: false),
                    UserLabels = table.Column<List<string>>(type: "text[]", nullable: false),
                    Senders = table.Column<List<string>>(type: "text[]", nullable: false),
                    Recipients = table.Column<List<string>>(type: "text[]", nullable: false),
                    Subject = table.Column<string>(type: "text", nullable: true),
                    Preview = table.Column<string>(type: "text", nullable: true),
                    LastMessageId = table.Column<string>(type: "text", nullable: true),
                    MessageCount = table.Column<int>(type: "integer", nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    Timestamp = table.Column<long>(type: "bigint", nullable: false),
                    ReceivedTimestamp = table.Column<long>(type: "bigint", nullable: true),
                    SentTimestamp = table.Column<long>(type: "bigint", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_threads", x => x.ThreadId);
                });

            migrationBuilder.CreateTable(
                name: "webhook_deliveries",
                columns: table => new
                {
                    DeliveryId = table.Column<string>(type: "text", nullable: false),
                    WebhookId = table.Column<string>(type: "text", nullable: false),
                    EventPosition = table.Column<long>(type: "bigint", nullable: false),
                    EventId = table.Column<string>(type: "text", nullable: false),
                    EventType = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "bigint", nullable: true),
                    LastAttemptAt = table.Column<long>(type: "bigint", nullable: true),
                    LastStatusCode = table.Column<int>(type: "integer", nullable: true),
                    LastResponse = table.Column<string>(type: "text", nullable: true),
                    LastError = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_deliveries", x => x.DeliveryId);
                });

            migrationBuilder.CreateTable(
                name: "webhooks",
                columns: table => new
                {
                    WebhookId = table.Column<string>(type: "text", nullable: false),
                    Url = table.Column<string>(type: "text", nullable: false),
                    EventTypes = table.Column<List<string>>(type: "text[]", nullable: false),
                    InboxIds = table.Column<List<string>>(type: "text[]", nullable: false),
                    OwnerInboxIds = table.Column<List<string>>(type: "text[]", nullable: true),
                    ClientId = table.Column<string>(type: "text", nullable: true),
                    Secret = table.Column<string>(type: "text", nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    DisabledReason = table.Column<string>(type: "text", nullable: true),
                    FailingSince = table.Column<long>(type: "bigint", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhooks", x => x.WebhookId);
                });

            migrationBuilder.CreateTable(
                name: "drafts",
                columns: table => new
                {
                    DraftId = table.Column<string>(type: "text", nullable: false),
                    InboxId = table.Column<string>(type: "text", nullable: false),
                    ClientId = table.Column<string>(type: "text", nullable: true),
                    To = table.Column<List<string>>(type: "text[]", nullable: false),
                    Cc = table.Column<List<string>>(type: "text[]", nullable: false),
                    Bcc = table.Column<List<string>>(type: "text[]", nullable: false),
                    ReplyTo = table.Column<List<string>>(type: "text[]", nullable: false),
                    Labels = table.Column<List<string>>(type: "text[]", nullable: false),
                    Subject = table.Column<string>(type: "text", nullable: true),
                    Text = table.Column<string>(type: "text", nullable: true),
                    Html = table.Column<string>(type: "text", nullable: true),
                    Preview = table.Column<string>(type: "text", nullable: true),
                    InReplyTo = table.Column<string>(type: "text", nullable: true),
                    References = table.Column<List<string>>(type: "text[]", nullable: false),
                    ThreadId = table.Column<string>(type: "text", nullable: false),
                    SendAt = table.Column<long>(type: "bigint", nullable: true),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    FailureReason = table.Column<string>(type: "text", nullable: true),
                    HeldReason = table.Column<string>(type: "text", nullable: true),
                    ApprovedBy = table.Column<string>(type: "text", nullable: true),
                    ApprovedAt = table.Column<long>(type: "bigint", nullable: true),
                    AgentMaySend = table.Column<bool>(type: "boolean", nullable: false),
                    SendRequestedAt = table.Column<long>(type: "bigint", nullable: true),
                    SendRequestedBy = table.Column<string>(type: "text", nullable: true),
                    ChangesRequested = table.Column<string>(type: "text", nullable: true),
                    ChangesRequestedBy = table.Column<string>(type: "text", nullable: true),
                    ChangesRequestedAt = table.Column<long>(type: "bigint", nullable: true),
                    ClaimedBy = table.Column<string>(type: "text", nullable: true),
                    ClaimExpiresAt = table.Column<long>(type: "bigint", nullable: true),
                    DeliveryAttempts = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false),
                    AgentVersion = table.Column<string>(type: "jsonb", nullable: true),
                    Attachments = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_drafts", x => x.DraftId);
                    table.ForeignKey(
                        name: "FK_drafts_inboxes_InboxId",
                        column: x => x.InboxId,
                        principalTable: "inboxes",
                        principalColumn: "InboxId",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_api_keys_Hash",
                table: "api_keys",
                column: "Hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_audit_entries_DraftId_Id",
                table: "audit_entries",
                columns: new[] { "DraftId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_drafts_InboxId_ClientId",
                table: "drafts",
                columns: new[] { "InboxId", "ClientId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_drafts_InboxId_UpdatedAt_DraftId",
                table: "drafts",
                columns: new[] { "InboxId", "UpdatedAt", "DraftId" });

            migrationBuilder.CreateIndex(
                name: "IX_drafts_State_SendAt",
                table: "drafts",
                columns: new[] { "State", "SendAt" });

            migrationBuilder.CreateIndex(
                name: "IX_drafts_State_UpdatedAt_DraftId",
                table: "drafts",
                columns: new[] { "State", "UpdatedAt", "DraftId" });

            migrationBuilder.CreateIndex(
                name: "IX_drafts_UpdatedAt_DraftId",
                table: "drafts",
                columns: new[] { "UpdatedAt", "DraftId" });

            migrationBuilder.CreateIndex(
                name: "IX_events_EventId",
                table: "events",
                column: "EventId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_events_InboxId_Position",
                table: "events",
                columns: new[] { "InboxId", "Position" });

            migrationBuilder.CreateIndex(
                name: "IX_idempotency_keys_CreatedAt",
                table: "idempotency_keys",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_inboxes_ClientId",
                table: "inboxes",
                column: "ClientId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_inboxes_UpdatedAt_InboxId",
                table: "inboxes",
                columns: new[] { "UpdatedAt", "InboxId" });

            migrationBuilder.CreateIndex(
                name: "IX_messages_DraftId",
                table: "messages",
                column: "DraftId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_messages_InboxId_Timestamp_MessageId",
                table: "messages",
                columns: new[] { "InboxId", "Timestamp", "MessageId" });

            migrationBuilder.CreateIndex(
                name: "IX_messages_ThreadId_Timestamp",
                table: "messages",
                columns: new[] { "ThreadId", "Timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_messages_Timestamp_MessageId",
                table: "messages",
                columns: new[] { "Timestamp", "MessageId" });

            migrationBuilder.CreateIndex(
                name: "IX_threads_InboxId_Timestamp_ThreadId",
                table: "threads",
                columns: new[] { "InboxId", "Timestamp", "ThreadId" });

            migrationBuilder.CreateIndex(
                name: "IX_threads_Timestamp_ThreadId",
                table: "threads",
                columns: new[] { "Timestamp", "ThreadId" });

            migrationBuilder.CreateIndex(
                name: "IX_webhook_deliveries_Status_NextAttemptAt",
                table: "webhook_deliveries",
                columns: new[] { "Status", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_webhook_deliveries_WebhookId_EventPosition",
                table: "webhook_deliveries",
                columns: new[] { "WebhookId", "EventPosition" });

            migrationBuilder.CreateIndex(
                name: "IX_webhooks_ClientId",
                table: "webhooks",
                column: "ClientId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_webhooks_CreatedAt_WebhookId",
                table: "webhooks",
                columns: new[] { "CreatedAt", "WebhookId" });

            // The drafts' search vector, cut as SQLite's FTS5 tokenizer cuts (runs of letters and digits) so the same
            // words match on both stores; the body's first 20,000 characters, as on SQLite (see PostgresDraftSearch).
            // Accents are left out of the words, as SQLite's remove_diacritics does ("cafe" finds "Café").
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS unaccent;");
            migrationBuilder.Sql("ALTER TABLE drafts ADD COLUMN search_vector tsvector;");
            migrationBuilder.Sql("CREATE INDEX drafts_search_vector ON drafts USING GIN (search_vector);");
            migrationBuilder.Sql("""
                CREATE FUNCTION drafts_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.search_vector := to_tsvector('simple', unaccent(regexp_replace(
                        coalesce(NEW."Subject", '') || ' ' || left(coalesce(NEW."Text", ''), 20000) || ' ' || coalesce(NEW."Preview", '') || ' '
                        || array_to_string(NEW."To" || NEW."Cc" || NEW."Bcc", ' ') || ' ' || array_to_string(NEW."Labels", ' '),
                        '[^[:alnum:]]+', ' ', 'g')));
                    RETURN NEW;
                END $$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER drafts_search BEFORE INSERT OR UPDATE OF "Subject", "Text", "Preview", "To", "Cc", "Bcc", "Labels"
                ON drafts FOR EACH ROW EXECUTE FUNCTION drafts_search_vector();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS drafts_search ON drafts;");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS drafts_search_vector();");
            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "attachment_contents");

            migrationBuilder.DropTable(
                name: "audit_entries");

            migrationBuilder.DropTable(
                name: "drafts");

            migrationBuilder.DropTable(
                name: "event_cursors");

            migrationBuilder.DropTable(
                name: "events");

            migrationBuilder.DropTable(
                name: "idempotency_keys");

            migrationBuilder.DropTable(
                name: "message_mime");

            migrationBuilder.DropTable(
                name: "messages");

            migrationBuilder.DropTable(
                name: "outbox");

            migrationBuilder.DropTable(
                name: "protection_keys");

            migrationBuilder.DropTable(
                name: "threads");

            migrationBuilder.DropTable(
                name: "webhook_deliveries");

            migrationBuilder.DropTable(
                name: "webhooks");

            migrationBuilder.DropTable(
                name: "inboxes");
        }
    }
}
