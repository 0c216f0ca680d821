using System.Net;
using System.Net.Http.Json;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Web.Tests.Drafts;

public sealed class DraftsApiTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    private readonly HttpClient _api = factory.CreateAgentClient();

    [Fact]
    public async Task A_created_draft_reads_back_with_every_field_and_a_preview()
    {
        var inbox = await _api.CreateInboxAsync();
        var created = await _api.CreateDraftAsync(inbox, new
        {
            to = new[] { "Bob <bob@example.com>" },
            cc = new[] { "carol@example.com" },
            bcc = new[] { "dave@example.com" },
            reply_to = new[] { "replies@example.com" },
            subject = "Quarterly numbers",
            text = "Hello Bob,\n\nthe   numbers are in.",
            html = "<p>Hello Bob</p>",
            labels = new[] { "finance" },
            client_id = "crm-42",
        });

        var read = await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{created["draft_id"]}")).ReadJsonAsync();
        Assert.Equal(inbox, read["inbox_id"]!.GetValue<string>());
        Assert.Equal(["Bob <bob@example.com>"], read["to"].Strings());
        Assert.Equal(["carol@example.com"], read["cc"].Strings());
        Assert.Equal(["dave@example.com"], read["bcc"].Strings());
        Assert.Equal(["replies@example.com"], read["reply_to"].Strings());
        Assert.Equal("Quarterly numbers", read["subject"]!.GetValue<string>());
        Assert.Equal("<p>Hello Bob</p>", read["html"]!.GetValue<string>());
        Assert.Equal("Hello Bob, the numbers are in.", read["preview"]!.GetValue<string>());
        Assert.Equal(["finance"], read["labels"].Strings());
        Assert.Equal("crm-42", read["client_id"]!.GetValue<string>());
        Assert.Null(read["send_status"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", read["created_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task Creating_twice_with_one_client_id_gives_the_same_draft()
    {
        var inbox = await _api.CreateInboxAsync();
        var first = await _api.CreateDraftAsync(inbox, new { subject = "one", client_id = "idem-1" });
        var second = await _api.CreateDraftAsync(inbox, new { subject = "two", client_id = "idem-1" });
        Assert.Equal(first["draft_id"]!.GetValue<string>(), second["draft_id"]!.GetValue<string>());
        Assert.Equal("one", second["subject"]!.GetValue<string>());
    }

    [Fact]
    public async Task Send_at_schedules_reschedules_and_null_unschedules()
    {
        var inbox = await _api.CreateInboxAsync();
        var at = DateTime.UtcNow.AddHours(2);
        var draft = await _api.CreateDraftAsync(inbox, new { to = new[] { "a@example.com" }, send_at = at.ToString("O"), labels = new[] { "x" } });
        var url = $"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}";
        Assert.Equal("scheduled", draft["send_status"]!.GetValue<string>());
        Assert.Equal(["x", "scheduled"], draft["labels"].Strings());
        Assert.Equal(ApiClientExtensions.Iso(at), draft["send_at"]!.GetValue<string>());

        var later = at.AddHours(1);
        var rescheduled = await (await _api.PatchJsonAsync(url, new { send_at = later.ToString("O") })).ReadJsonAsync();
        Assert.Equal(ApiClientExtensions.Iso(later), rescheduled["send_at"]!.GetValue<string>());
        Assert.Equal("scheduled", rescheduled["send_status"]!.GetValue<string>());

        var unscheduled = await (await _api.PatchAsync(url, new StringContent("""{"send_at":null}""", System.Text.Encoding.UTF8, "application/json"))).ReadJsonAsync();
        Assert.Null(unscheduled["send_status"]);
        Assert.Null(unscheduled["send_at"]);
        Assert.Equal(["x"], unscheduled["labels"].Strings());

        await using var db = factory.OpenDb();
        var audit = await db.AuditEntries.Where(a => a.DraftId == draft["draft_id"]!.GetValue<string>()).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal(["created", "scheduled", "rescheduled", "unscheduled"], audit);
    }

    [Fact]
    public async Task A_partial_update_keeps_omitted_fields_and_null_clears()
    {
        var inbox = await _api.CreateInboxAsync();
        var draft = await _api.CreateDraftAsync(inbox, new { to = new[] { "a@example.com" }, cc = new[] { "c@example.com" }, subject = "old", text = "body", labels = new[] { "keep", "drop" } });
        var url = $"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}";

        var response = await _api.PatchAsync(url, new StringContent("""{"subject":"new","cc":null,"add_labels":["added"],"remove_labels":["drop"]}""", System.Text.Encoding.UTF8, "application/json"));
        var updated = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("new", updated["subject"]!.GetValue<string>());
        Assert.Equal("body", updated["text"]!.GetValue<string>());
        Assert.Equal(["a@example.com"], updated["to"].Strings());
        Assert.Null(updated["cc"]);
        Assert.Equal(["keep", "added"], updated["labels"].Strings());
        Assert.Equal(2, updated["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_stale_version_is_refused_with_409_and_changes_nothing()
    {
        var inbox = await _api.CreateInboxAsync();
        var draft = await _api.CreateDraftAsync(inbox, new { subject = "v1" });
        var url = $"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}";
        await _api.PatchJsonAsync(url, new { subject = "v2", version = 1 });

        var stale = await _api.PatchJsonAsync(url, new { subject = "lost update", version = 1 });

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("ConflictError", (await stale.ReadJsonAsync())["name"]!.GetValue<string>());
        Assert.Equal("v2", (await (await _api.GetAsync(url)).ReadJsonAsync())["subject"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_draft_being_sent_cannot_be_edited_or_deleted()
    {
        var inbox = await _api.CreateInboxAsync();
        var draft = await _api.CreateDraftAsync(inbox, new { to = new[] { "a@example.com" }, subject = "in flight" });
        var id = draft["draft_id"]!.GetValue<string>();
        await using (var db = factory.OpenDb())
        {
            // A send job holds the claim while it talks to the mail server.
            await db.Drafts.Where(d => d.DraftId == id).ExecuteUpdateAsync(s => s.SetProperty(d => d.State, DraftState.Sending));
        }

        var edit = await _api.PatchJsonAsync($"/v0/inboxes/{inbox}/drafts/{id}", new { subject = "changed" });
        var delete = await _api.DeleteAsync($"/v0/inboxes/{inbox}/drafts/{id}");

        Assert.Equal(HttpStatusCode.Conflict, edit.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Contains("being sent", (await delete.ReadJsonAsync())["message"]!.GetValue<string>());
        var read = await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{id}")).ReadJsonAsync();
        Assert.Equal("in flight", read["subject"]!.GetValue<string>());
        Assert.Equal("sending", read["send_status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_removes_the_draft_and_its_attachments_but_keeps_the_audit_trail()
    {
        var inbox = await _api.CreateInboxAsync();
        var draft = await _api.CreateDraftAsync(inbox, new
        {
            subject = "with file",
            attachments = new[] { new { filename = "a.txt", content_type = "text/plain", content = Convert.ToBase64String("hello"u8.ToArray()) } },
        });
        var id = draft["draft_id"]!.GetValue<string>();
        var attachmentId = draft["attachments"]![0]!["attachment_id"]!.GetValue<string>();
        var link = (await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{id}/attachments/{attachmentId}")).ReadJsonAsync())["download_url"]!.GetValue<string>();
        Assert.Equal("hello", await factory.CreateClient().GetStringAsync(link));

        var deleted = await _api.DeleteAsync($"/v0/inboxes/{inbox}/drafts/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient().GetAsync(link)).StatusCode);
        await using var db = factory.OpenDb();
        Assert.False(await db.AttachmentContents.AnyAsync(c => c.AttachmentId == attachmentId));
        Assert.Equal(["created", "deleted"], await db.AuditEntries.Where(a => a.DraftId == id).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
    }

    [Fact]
    public async Task Unknown_inbox_or_draft_answers_404_in_agentmail_shape()
    {
        var inbox = await _api.CreateInboxAsync();
        var noInbox = await _api.GetAsync("/v0/inboxes/nobody@example.com/drafts");
        var noDraft = await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{Guid.NewGuid()}");
        var noOrgDraft = await _api.GetAsync($"/v0/drafts/{Guid.NewGuid()}");
        var createInMissing = await _api.PostAsJsonAsync("/v0/inboxes/nobody@example.com/drafts", new { subject = "x" });

        foreach (var response in new[] { noInbox, noDraft, noOrgDraft, createInMissing })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("NotFoundError", (await response.ReadJsonAsync())["name"]!.GetValue<string>());
        }
    }
}
