using System.Net;
using System.Text.Json.Nodes;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Web.Tests.Sending;

/// <summary><c>POST …/send</c> with AgentMail's body: <c>add_labels</c> and <c>remove_labels</c> go on the Message that results.</summary>
public sealed class SendLabelsApiTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    private static readonly Actor Supervisor = Actor.Person("sup", "supervisor@example.com", "127.0.0.1");

    private readonly HttpClient _api = factory.CreateAgentClient();

    [Fact]
    public async Task The_send_bodys_labels_are_added_to_and_removed_from_the_message()
    {
        var (inbox, draftId) = await DraftAsync("sales", "keep");

        var response = await _api.PostRawJsonAsync($"/v0/inboxes/{inbox}/drafts/{draftId}/send", """{"add_labels":["invoice","q3"],"remove_labels":["sales"]}""");
        var sent = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await MessageAsync(inbox, sent);
        Assert.Equal(["sent", "keep", "invoice", "q3"], message["labels"].Strings());
    }

    [Fact]
    public async Task A_single_label_may_be_a_string_and_an_empty_body_sends_with_the_drafts_labels()
    {
        var (inbox, one) = await DraftAsync("crm");
        var (_, two) = await DraftInAsync(inbox, "crm");

        var single = await (await _api.PostRawJsonAsync($"/v0/inboxes/{inbox}/drafts/{one}/send", """{"add_labels":"follow-up","remove_labels":"crm"}""")).ReadJsonAsync();
        var empty = await _api.PostAsync($"/v0/inboxes/{inbox}/drafts/{two}/send", null);

        Assert.Equal(["sent", "follow-up"], (await MessageAsync(inbox, single))["labels"].Strings());
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Equal(["sent", "crm"], (await MessageAsync(inbox, await empty.ReadJsonAsync()))["labels"].Strings());
    }

    [Theory]
    [InlineData("""{"labels":["x"]}""", "labels")]
    [InlineData("""{"add_labels":[""]}""", "add_labels[0]")]
    [InlineData("""{"add_labels":["ok","bad\u0007"]}""", "add_labels[1]")]
    [InlineData("""{"remove_labels":[7]}""", "remove_labels[0]")]
    [InlineData("""{"add_labels":["sent"]}""", "add_labels[0]")]
    [InlineData("""{"remove_labels":["scheduled"]}""", "remove_labels[0]")]
    [InlineData("""{"add_labels":{"a":1}}""", "add_labels")]
    [InlineData("""[1]""", "body")]
    public async Task Bad_labels_and_unknown_fields_are_refused_by_name_and_nothing_is_sent(string body, string field)
    {
        var (inbox, draftId) = await DraftAsync("crm");

        var response = await _api.PostRawJsonAsync($"/v0/inboxes/{inbox}/drafts/{draftId}/send", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.ReadJsonAsync()).ErrorFields());
        var draft = await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draftId}")).ReadJsonAsync();
        Assert.Equal(["crm"], draft["labels"].Strings());
        await using var db = factory.OpenDb();
        Assert.False(await db.Messages.AnyAsync(m => m.InboxId == inbox));
    }

    [Fact]
    public async Task A_send_held_for_review_keeps_its_labels_for_the_message_the_approval_sends()
    {
        var (inbox, draftId) = await DraftAsync("crm");
        await factory.Services.GetRequiredService<InboxService>().SetReviewRequiredAsync(inbox, true);

        var held = await _api.PostRawJsonAsync($"/v0/inboxes/{inbox}/drafts/{draftId}/send", """{"add_labels":["invoice"],"remove_labels":["crm"]}""");

        Assert.Equal(HttpStatusCode.Accepted, held.StatusCode);
        var draft = await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draftId}")).ReadJsonAsync();
        Assert.Equal(["invoice", "scheduled"], draft["labels"].Strings());

        await factory.Services.GetRequiredService<DraftsService>()
            .ApproveAsync(Supervisor, inbox, draftId, draft["version"]!.GetValue<long>(), DateTime.UtcNow);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            await using var db = factory.OpenDb();
            if (await db.Messages.SingleOrDefaultAsync(m => m.DraftId == draftId) is { } message)
            {
                Assert.Equal(["sent", "invoice"], message.Labels);
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the approved draft was not sent within 30 s");
    }

    private async Task<(string Inbox, string DraftId)> DraftAsync(params string[] labels) => await DraftInAsync(await _api.CreateInboxAsync(), labels);

    private async Task<(string Inbox, string DraftId)> DraftInAsync(string inbox, params string[] labels)
    {
        var draft = await _api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "Invoice", labels });
        return (inbox, draft["draft_id"]!.GetValue<string>());
    }

    private async Task<JsonObject> MessageAsync(string inbox, JsonObject sent)
    {
        var response = await _api.GetAsync($"/v0/inboxes/{inbox}/messages/{Uri.EscapeDataString(sent["message_id"]!.GetValue<string>())}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }
}
