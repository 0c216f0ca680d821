using System.Net;
using System.Net.Http.Json;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Web.Tests.Drafts;

public sealed class ConcurrentSendApiTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    private readonly HttpClient _api = factory.CreateAgentClient();

    [Fact]
    public async Task Two_sends_at_once_make_one_message_and_both_are_told_its_id()
    {
        var inbox = await _api.CreateInboxAsync();
        for (var round = 0; round < 10; round++)
        {
            var draft = await _api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = $"round {round}" });
            var url = $"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}/send";

            var responses = await Task.WhenAll(_api.PostAsJsonAsync(url, new { }), _api.PostAsJsonAsync(url, new { }));

            var statuses = responses.Select(r => r.StatusCode).Order().ToArray();
            Assert.Equal(HttpStatusCode.OK, statuses[0]);
            Assert.Contains(statuses[1], new[] { HttpStatusCode.OK, HttpStatusCode.Accepted });
            var ids = await Task.WhenAll(responses.Select(async r => (await r.ReadJsonAsync())["message_id"]!.GetValue<string>()));
            Assert.Equal(ids[0], ids[1]);
        }

        await using var db = factory.OpenDb();
        Assert.Equal(10, await db.Messages.CountAsync(m => m.InboxId == inbox));
        Assert.Equal(10, await db.Outbox.CountAsync(o => o.InboxId == inbox));
    }

    [Fact]
    public async Task The_jobs_dashboard_refuses_anonymous_visitors_and_agents()
    {
        var anonymous = await factory.CreateClient().GetAsync("/hangfire");
        var agent = await _api.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, agent.StatusCode);
    }

    [Fact]
    public async Task Health_reports_the_store_and_the_scheduler()
    {
        var response = await factory.CreateClient().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}
