using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentMail.Review.Core.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class TrustworthySending : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_messages_InboxId_IdempotencyKey",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "IdempotencyKey",
                table: "messages");

            migrationBuilder.AddColumn<bool>(
                name: "AgentMaySend",
                table: "drafts",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "ClaimExpiresAt",
                table: "drafts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ClaimedBy",
                table: "drafts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DeliveryAttempts",
                table: "drafts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "SendRequestedAt",
                table: "drafts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SendRequestedBy",
                table: "drafts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "idempotency_keys",
                columns: table => new
                {
                    CallerId = table.Column<string>(type: "TEXT", nullable: false),
                    Operation = table.Column<string>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<string>(type: "TEXT", nullable: false),
                    ResourceId = table.Column<string>(type: "TEXT", nullable: false),
                    InboxId = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_idempotency_keys", x => new { x.CallerId, x.Operation, x.Key });
                });

            migrationBuilder.CreateIndex(
                name: "IX_idempotency_keys_CreatedAt",
                table: "idempotency_keys",
                column: "CreatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "idempotency_keys");

            migrationBuilder.DropColumn(
                name: "AgentMaySend",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "ClaimExpiresAt",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "ClaimedBy",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "DeliveryAttempts",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "SendRequestedAt",
                table: "drafts");

            migrationBuilder.DropColumn(
                name: "SendRequestedBy",
                table: "drafts");

            migrationBuilder.AddColumn<string>(
                name: "IdempotencyKey",
                table: "messages",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_messages_InboxId_IdempotencyKey",
                table: "messages",
                columns: new[] { "InboxId", "IdempotencyKey" });
        }
    }
}
