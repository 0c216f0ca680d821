using System.Net;
using System.Net.Http.Json;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Web.Tests.Auth;

public sealed class ReviewRequiredApiTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    private readonly HttpClient _api = factory.CreateAgentClient();

    [Fact]
    public async Task An_agents_send_from_an_inbox_that_requires_review_is_held_with_its_message_id_reserved()
    {
        var inbox = await _api.CreateInboxAsync();
        await factory.Services.GetRequiredService<InboxService>().SetReviewRequiredAsync(inbox, true);
        var draft = await _api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "needs a look" });

        var response = await _api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}/send", new { });
        var retried = await _api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}/send", new { });
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"<{draft["draft_id"]}@example.com>", body["message_id"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["thread_id"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        var held = await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}")).ReadJsonAsync();
        Assert.Equal("scheduled", held["send_status"]!.GetValue<string>());
        Assert.NotNull(held["send_requested_at"]);
        await using var db = factory.OpenDb();
        Assert.False(await db.Messages.AnyAsync(m => m.InboxId == inbox));
    }

    [Fact]
    public async Task The_inbox_says_it_requires_review_and_agents_may_still_write_and_schedule_drafts()
    {
        var inbox = await _api.CreateInboxAsync();
        await factory.Services.GetRequiredService<InboxService>().SetReviewRequiredAsync(inbox, true);

        var shown = await (await _api.GetAsync($"/v0/inboxes/{inbox}")).ReadJsonAsync();
        var scheduled = await _api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, send_at = ApiClientExtensions.Iso(DateTime.UtcNow.AddHours(1)) });

        Assert.True(shown["review_required"]!.GetValue<bool>());
        Assert.Equal("scheduled", scheduled["send_status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_message_sent_where_review_is_required_is_held_and_a_follow_up_can_reply_to_its_reserved_id()
    {
        var inbox = await _api.CreateInboxAsync();
        await factory.Services.GetRequiredService<InboxService>().SetReviewRequiredAsync(inbox, true);

        var response = await _api.PostAsJsonAsync($"/v0/inboxes/{inbox}/messages/send", new { to = new[] { "prospect@example.com" }, subject = "Quick question", text = "Hi" });
        var sent = await response.ReadJsonAsync();
        var followUp = await _api.CreateDraftAsync(inbox, new { in_reply_to = sent["message_id"]!.GetValue<string>(), text = "Bumping this", send_at = ApiClientExtensions.Iso(DateTime.UtcNow.AddDays(3)) });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(["prospect@example.com"], followUp["to"].Strings());
        Assert.Equal("Re: Quick question", followUp["subject"]!.GetValue<string>());
        await using var db = factory.OpenDb();
        Assert.False(await db.Messages.AnyAsync(m => m.InboxId == inbox));
        var held = await db.Drafts.SingleAsync(d => d.InboxId == inbox && d.SendRequestedAt != null);
        Assert.Equal(sent["thread_id"]!.GetValue<string>(), held.ThreadId);
        Assert.Equal(held.ThreadId, (await db.Drafts.SingleAsync(d => d.DraftId == followUp["draft_id"]!.GetValue<string>())).ThreadId);
    }

    [Fact]
    public async Task A_supervisors_request_for_changes_reaches_the_agent_on_the_draft_and_goes_when_the_agent_revises()
    {
        var inbox = await _api.CreateInboxAsync();
        var draft = await _api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "Offer", text = "20% off" });
        var untouched = await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}")).ReadJsonAsync();
        Assert.False(untouched.ContainsKey("changes_requested"));
        var supervisor = AgentMail.Review.Core.Common.Actor.Person("sup-1", "supervisor@example.com", "127.0.0.1");
        await factory.Services.GetRequiredService<AgentMail.Review.Core.Drafts.DraftsService>()
            .RequestChangesAsync(supervisor, inbox, draft["draft_id"]!.GetValue<string>(), draft["version"]!.GetValue<long>(), "Offer 10%, not 20%.");

        var sentBack = await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}")).ReadJsonAsync();
        Assert.Equal("Offer 10%, not 20%.", sentBack["changes_requested"]!.GetValue<string>());
        Assert.NotNull(sentBack["changes_requested_at"]);

        await _api.PatchJsonAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}", new { text = "10% off" });
        var revised = await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}")).ReadJsonAsync();
        Assert.False(revised.ContainsKey("changes_requested"));
    }
}
