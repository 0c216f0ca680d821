using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentMail.Review.Core.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class InboxOnReply : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "OnReply",
                table: "inboxes",
                type: "TEXT",
                maxLength: 8,
                nullable: false,
                // Existing inboxes get the product's default: follow-ups are held when a reply arrives.
                defaultValue: "Hold");

            migrationBuilder.AddColumn<string>(
                name: "HeldReason",
                table: "drafts",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "OnReply",
                table: "inboxes");

            migrationBuilder.DropColumn(
                name: "HeldReason",
                table: "drafts");
        }
    }
}
