using System.Net;
using System.Net.Http.Json;
using AgentMail.Review.Web.Tests.Support;

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
