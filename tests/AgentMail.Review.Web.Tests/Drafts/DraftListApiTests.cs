using System.Net;
using AgentMail.Review.Web.Tests.Support;

namespace AgentMail.Review.Web.Tests.Drafts;

public sealed class DraftListApiTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    private readonly HttpClient _api = factory.CreateAgentClient();

    [Fact]
    public async Task Paging_by_token_returns_every_draft_once_newest_first()
    {
        var inbox = await _api.CreateInboxAsync();
        var created = new List<string>();
        for (var i = 0; i < 23; i++)
        {
            created.Add((await _api.CreateDraftAsync(inbox, new { subject = $"draft {i}" }))["draft_id"]!.GetValue<string>());
        }

        var seen = new List<(string Id, string UpdatedAt)>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts?limit=5{(token is null ? "" : $"&page_token={token}")}")).ReadJsonAsync();
            var drafts = page["drafts"]!.AsArray();
            Assert.Equal(drafts.Count, page["count"]!.GetValue<int>());
            seen.AddRange(drafts.Select(d => (d!["draft_id"]!.GetValue<string>(), d["updated_at"]!.GetValue<string>())));
            token = page["next_page_token"]?.GetValue<string>();
            pages++;
        }
        while (token is not null);

        Assert.Equal(5, pages);
        Assert.Equal(created.Order(), seen.Select(s => s.Id).Order());
        Assert.Equal(seen.Count, seen.Select(s => s.Id).Distinct().Count());
        Assert.Equal(seen.Select(s => s.UpdatedAt).OrderDescending(StringComparer.Ordinal), seen.Select(s => s.UpdatedAt));

        var ascending = await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts?limit=100&ascending=true")).ReadJsonAsync();
        Assert.Equal(seen.Select(s => s.Id).Reverse(), ascending["drafts"]!.AsArray().Select(d => d!["draft_id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("labels=%5B%22scheduled%22%5D")]
    [InlineData("labels=scheduled")]
    public async Task Labels_filter_in_both_the_sdk_and_the_plain_form(string query)
    {
        var inbox = await _api.CreateInboxAsync();
        var scheduled = await _api.CreateDraftAsync(inbox, new { subject = "later", send_at = DateTime.UtcNow.AddDays(1).ToString("O") });
        await _api.CreateDraftAsync(inbox, new { subject = "now" });

        var page = await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts?{query}")).ReadJsonAsync();

        Assert.Equal([scheduled["draft_id"]!.GetValue<string>()], page["drafts"]!.AsArray().Select(d => d!["draft_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_organisation_list_spans_inboxes_and_before_after_filter_by_update_time()
    {
        var first = await _api.CreateInboxAsync();
        var second = await _api.CreateInboxAsync();
        var a = await _api.CreateDraftAsync(first, new { subject = "a", labels = new[] { "org-list-test" } });
        await Task.Delay(5);
        var b = await _api.CreateDraftAsync(second, new { subject = "b", labels = new[] { "org-list-test" } });

        var all = await (await _api.GetAsync("/v0/drafts?labels=org-list-test")).ReadJsonAsync();
        var afterA = await (await _api.GetAsync($"/v0/drafts?labels=org-list-test&after={a["updated_at"]}")).ReadJsonAsync();
        var org = await _api.GetAsync($"/v0/drafts/{b["draft_id"]}");

        Assert.Equal(new[] { second, first }, all["drafts"]!.AsArray().Select(d => d!["inbox_id"]!.GetValue<string>()));
        Assert.Equal([b["draft_id"]!.GetValue<string>()], afterA["drafts"]!.AsArray().Select(d => d!["draft_id"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, org.StatusCode);
    }
}
