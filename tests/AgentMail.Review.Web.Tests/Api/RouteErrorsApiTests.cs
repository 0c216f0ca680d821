using System.Net;
using AgentMail.Review.Web.Tests.Support;

namespace AgentMail.Review.Web.Tests.Api;

/// <summary>Routing's own 404 and 405 under /v0 answer AgentMail's error body, so the SDKs raise their typed errors.</summary>
public sealed class RouteErrorsApiTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    private readonly HttpClient _api = factory.CreateAgentClient();

    [Theory]
    [InlineData("/v0/no-such-thing")]
    [InlineData("/v0/domains/example.com")]
    [InlineData("/v0/inboxes/a@example.com/drafts/d/nothing-here")]
    [InlineData("/v0")]
    public async Task An_unknown_api_route_is_a_json_not_found_error(string path)
    {
        foreach (var client in new[] { _api, factory.CreateClient() })
        {
            var response = await client.GetAsync(path);
            var body = await response.ReadJsonAsync();

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("NotFoundError", body["name"]!.GetValue<string>());
            Assert.Contains(path, body["message"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_wrong_method_on_a_known_route_is_a_json_405_with_allow()
    {
        var response = await _api.PutAsync("/v0/inboxes/a@example.com/drafts/some-draft", new StringContent("{}"));
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("MethodNotAllowedError", body["name"]!.GetValue<string>());
        var allowed = response.Content.Headers.Allow.Count > 0 ? response.Content.Headers.Allow : response.Headers.GetValues("Allow").SelectMany(v => v.Split(", "));
        Assert.Subset(allowed.ToHashSet(), new HashSet<string> { "DELETE", "GET", "PATCH" });
        Assert.DoesNotContain("PUT", allowed);
        Assert.Contains("GET", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Pages_outside_the_api_keep_their_behaviour()
    {
        var response = await factory.CreateClient().GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotEqual("application/json", response.Content.Headers.ContentType?.MediaType);
    }
}
