using System.Net;
using System.Net.Http.Json;
using AgentMail.Review.Core.ApiKeys;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Web.Tests.Inboxes;

public sealed class InboxesApiTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    private readonly HttpClient _api = factory.CreateAgentClient();

    [Fact]
    public async Task An_inbox_without_a_domain_gets_the_configured_default()
    {
        var response = await _api.PostAsJsonAsync("/v0/inboxes", new { username = "Support", display_name = "Support desk" });
        var inbox = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("support@agents.localhost.test", inbox["inbox_id"]!.GetValue<string>());
        Assert.Equal("Support desk", inbox["display_name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("/v0/inboxes/SUPPORT@agents.localhost.test")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _api.PostAsJsonAsync("/v0/inboxes", new { username = "support" })).StatusCode);
    }

    [Theory]
    [InlineData("""{"username":"two words"}""", "username")]
    [InlineData("""{"username":"ok","domain":"not a domain"}""", "domain")]
    [InlineData("""{"display_name":"x\r\ny"}""", "display_name")]
    [InlineData("""{"username":7}""", "username")]
    public async Task A_bad_inbox_is_refused_naming_the_field(string json, string field)
    {
        var response = await _api.PostRawJsonAsync("/v0/inboxes", json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (await response.ReadJsonAsync()).ErrorFields());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{}")]
    public async Task An_inbox_created_without_a_body_gets_a_generated_username(string? json)
    {
        var response = await _api.PostAsync("/v0/inboxes", json is null ? null : new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var inbox = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var address = inbox["inbox_id"]!.GetValue<string>();
        Assert.Matches(@"^agent-[0-9a-f]{8}@agents\.localhost\.test$", address);
        Assert.Equal(address, inbox["email"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync($"/v0/inboxes/{address}")).StatusCode);
    }

    [Fact]
    public async Task Update_changes_the_display_name_and_merges_metadata()
    {
        var created = await (await _api.PostRawJsonAsync("/v0/inboxes", """{"display_name":"Sales","metadata":{"team":"emea","seats":3,"vip":false}}""")).ReadJsonAsync();
        var inbox = created["inbox_id"]!.GetValue<string>();
        Assert.Equal("""{"team":"emea","seats":3,"vip":false}""", created["metadata"]!.ToJsonString());

        var renamed = await _api.PatchJsonAsync($"/v0/inboxes/{inbox}", new { display_name = "Sales EMEA" });
        var merged = await (await _api.PatchAsync($"/v0/inboxes/{inbox}", Json("""{"metadata":{"seats":4,"vip":null,"region":"north"}}"""))).ReadJsonAsync();
        var read = await (await _api.GetAsync($"/v0/inboxes/{inbox}")).ReadJsonAsync();
        var cleared = await (await _api.PatchAsync($"/v0/inboxes/{inbox}", Json("""{"metadata":null,"display_name":null}"""))).ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("Sales EMEA", (await renamed.ReadJsonAsync())["display_name"]!.GetValue<string>());
        Assert.Equal("""{"team":"emea","seats":4,"region":"north"}""", merged["metadata"]!.ToJsonString());
        Assert.Equal("Sales EMEA", merged["display_name"]!.GetValue<string>());
        Assert.Equal(merged.ToJsonString(), read.ToJsonString());
        Assert.True(DateTime.Parse(read["updated_at"]!.GetValue<string>()) >= DateTime.Parse(created["updated_at"]!.GetValue<string>()));
        Assert.Null(cleared["metadata"]);
        Assert.Null(cleared["display_name"]);
    }

    [Theory]
    [InlineData("{}", "body")]
    [InlineData("", "body")]
    [InlineData("""{"metadata":{}}""", "metadata")]
    [InlineData("""{"metadata":[1]}""", "metadata")]
    [InlineData("""{"metadata":{"tags":["a"]}}""", "metadata.tags")]
    [InlineData("""{"display_name":"x\r\ny"}""", "display_name")]
    [InlineData("""{"client_id":"crm-1"}""", "client_id")]
    [InlineData("""{"username":"renamed"}""", "username")]
    public async Task A_bad_update_is_refused_naming_the_field(string json, string field)
    {
        var inbox = await _api.CreateInboxAsync();

        var response = await _api.PatchAsync($"/v0/inboxes/{inbox}", Json(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (await response.ReadJsonAsync()).ErrorFields().Split(','));
    }

    [Fact]
    public async Task Metadata_past_its_limits_is_refused()
    {
        var tooMany = "{" + string.Join(",", Enumerable.Range(0, 257).Select(i => $"\"k{i}\":{i}")) + "}";
        var longValue = new string('v', 257);

        var create = await _api.PostRawJsonAsync("/v0/inboxes", "{\"metadata\":" + tooMany + "}");
        var value = await _api.PostRawJsonAsync("/v0/inboxes", "{\"metadata\":{\"note\":\"" + longValue + "\"}}");
        var nullOnCreate = await _api.PostRawJsonAsync("/v0/inboxes", """{"metadata":{"note":null}}""");

        Assert.Equal("metadata", (await create.ReadJsonAsync()).ErrorFields());
        Assert.Equal("metadata.note", (await value.ReadJsonAsync()).ErrorFields());
        Assert.Equal("metadata.note", (await nullOnCreate.ReadJsonAsync()).ErrorFields());
    }

    [Fact]
    public async Task The_review_policy_cannot_be_changed_with_an_api_key()
    {
        var inbox = await _api.CreateInboxAsync();
        await factory.Services.GetRequiredService<InboxService>().SetReviewRequiredAsync(inbox, true);

        var response = await _api.PatchAsync($"/v0/inboxes/{inbox}", Json("""{"review_required":false,"display_name":"sneaky"}"""));
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("ForbiddenError", body["name"]!.GetValue<string>());
        Assert.Contains("review_required", body["message"]!.GetValue<string>());
        var read = await (await _api.GetAsync($"/v0/inboxes/{inbox}")).ReadJsonAsync();
        Assert.True(read["review_required"]!.GetValue<bool>());
        Assert.Null(read["display_name"]);
    }

    [Fact]
    public async Task The_on_reply_policy_shows_on_the_inbox_and_cannot_be_changed_with_an_api_key()
    {
        var inbox = await _api.CreateInboxAsync();

        var response = await _api.PatchAsync($"/v0/inboxes/{inbox}", Json("""{"on_reply":"none"}"""));
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("on_reply", body["message"]!.GetValue<string>());
        Assert.Equal("hold", (await (await _api.GetAsync($"/v0/inboxes/{inbox}")).ReadJsonAsync())["on_reply"]!.GetValue<string>());
        await factory.Services.GetRequiredService<InboxService>().SetOnReplyAsync(inbox, OnReplyPolicy.Cancel);
        Assert.Equal("cancel", (await (await _api.GetAsync($"/v0/inboxes/{inbox}")).ReadJsonAsync())["on_reply"]!.GetValue<string>());
    }

    [Fact]
    public async Task Updating_or_deleting_an_unknown_inbox_is_404()
    {
        var update = await _api.PatchJsonAsync("/v0/inboxes/nobody@example.com", new { display_name = "x" });
        var delete = await _api.DeleteAsync("/v0/inboxes/nobody@example.com");

        Assert.Equal(HttpStatusCode.NotFound, update.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal("NotFoundError", (await delete.ReadJsonAsync())["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_an_inbox_takes_its_drafts_messages_and_attachment_bytes_and_keeps_the_audit_trail()
    {
        var inbox = await _api.CreateInboxAsync();
        var file = new[] { new { filename = "a.txt", content = Convert.ToBase64String("hello"u8.ToArray()) } };
        var pending = await _api.CreateDraftAsync(inbox, new { subject = "pending", attachments = file });
        var sentDraft = await _api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "sent", attachments = file });
        var sent = await (await _api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{sentDraft["draft_id"]}/send", new { })).ReadJsonAsync();
        Assert.NotNull(sent["message_id"]);
        var attachmentIds = new[] { pending, sentDraft }.Select(d => d["attachments"]![0]!["attachment_id"]!.GetValue<string>()).ToList();
        var other = await _api.CreateInboxAsync();
        var untouched = await _api.CreateDraftAsync(other, new { subject = "other inbox", attachments = file });

        var response = await _api.DeleteAsync($"/v0/inboxes/{inbox}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync($"/v0/inboxes/{inbox}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync($"/v0/drafts/{pending["draft_id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync($"/v0/drafts/{untouched["draft_id"]}")).StatusCode);
        await using var db = factory.OpenDb();
        Assert.False(await db.Drafts.AnyAsync(d => d.InboxId == inbox));
        Assert.False(await db.Messages.AnyAsync(m => m.InboxId == inbox));
        Assert.False(await db.AttachmentContents.AnyAsync(c => attachmentIds.Contains(c.AttachmentId)));
        Assert.True(await db.AttachmentContents.AnyAsync(c => c.AttachmentId == untouched["attachments"]![0]!["attachment_id"]!.GetValue<string>()));
        var pendingTrail = await db.AuditEntries.Where(a => a.DraftId == pending["draft_id"]!.GetValue<string>()).OrderBy(a => a.Id).ToListAsync();
        var sentTrail = await db.AuditEntries.Where(a => a.DraftId == sentDraft["draft_id"]!.GetValue<string>()).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["created", "deleted"], pendingTrail.Select(a => a.Action));
        Assert.Contains("inbox deleted", pendingTrail[^1].Details);
        Assert.Equal(["created", "sending", "sent", "message_deleted"], sentTrail.Select(a => a.Action));
        Assert.Contains(sentDraft["draft_id"]!.GetValue<string>(), sentTrail[^1].Details);
        Assert.Equal("agent", sentTrail[^1].ActorKind);
    }

    [Fact]
    public async Task An_inbox_with_drafts_scheduled_or_being_sent_is_not_deleted_and_the_refusal_names_them()
    {
        var inbox = await _api.CreateInboxAsync();
        var scheduled = await _api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, send_at = DateTime.UtcNow.AddHours(1).ToString("O") });
        var sending = await _api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" } });
        var pending = await _api.CreateDraftAsync(inbox, new { subject = "waits" });
        await using (var db = factory.OpenDb())
        {
            var id = sending["draft_id"]!.GetValue<string>();
            await db.Drafts.Where(d => d.DraftId == id).ExecuteUpdateAsync(set => set.SetProperty(d => d.State, DraftState.Sending));
        }

        var response = await _api.DeleteAsync($"/v0/inboxes/{inbox}");
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("ConflictError", body["name"]!.GetValue<string>());
        var message = body["message"]!.GetValue<string>();
        Assert.Contains($"{scheduled["draft_id"]} (scheduled)", message);
        Assert.Contains($"{sending["draft_id"]} (being sent)", message);
        Assert.DoesNotContain(pending["draft_id"]!.GetValue<string>(), message);
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync($"/v0/inboxes/{inbox}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync($"/v0/drafts/{pending["draft_id"]}")).StatusCode);
    }

    [Fact]
    public async Task A_key_scoped_to_named_inboxes_may_update_them_but_not_delete_them()
    {
        var inbox = await _api.CreateInboxAsync();
        var scoped = await factory.Services.GetRequiredService<ApiKeyService>().CreateAsync("scoped", [inbox], canSend: false);
        var agent = factory.CreateAgentClient(scoped.Secret);

        Assert.Equal(HttpStatusCode.OK, (await agent.PatchJsonAsync($"/v0/inboxes/{inbox}", new { display_name = "mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.DeleteAsync($"/v0/inboxes/{inbox}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync($"/v0/inboxes/{inbox}")).StatusCode);
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task Health_and_the_openapi_document_answer()
    {
        var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        var openApi = await anonymous.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/v0/inboxes/{inbox_id}/drafts/{draft_id}/send", openApi);
        Assert.Contains("\"409\"", openApi);
    }
}
