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
}
