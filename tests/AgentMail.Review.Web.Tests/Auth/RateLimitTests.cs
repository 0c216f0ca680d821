using System.Net;
using AgentMail.Review.Core.ApiKeys;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Web.Tests.Auth;

public sealed class TinyRateLimitFactory : ReviewApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Review:RateLimit:PermitsPerSecond"] = "1",
        ["Review:RateLimit:Burst"] = "3",
    };
}

/// <summary>Each API key has its own bucket; past it the API says 429, when to come back, in AgentMail's shape.</summary>
public sealed class RateLimitTests(TinyRateLimitFactory factory) : IClassFixture<TinyRateLimitFactory>
{
    [Fact]
    public async Task Past_the_limit_a_key_gets_429_with_retry_after_and_a_rate_limit_error()
    {
        var key = await factory.Services.GetRequiredService<ApiKeyService>().CreateAsync("busy agent", [], canSend: true);
        var agent = factory.CreateAgentClient(key.Secret);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 6 && refused is null; i++)
        {
            var response = await agent.GetAsync("/v0/drafts");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], statuses.Take(3));
        Assert.True(int.TryParse(refused.Headers.GetValues("Retry-After").Single(), out var seconds) && seconds >= 1, "Retry-After is a whole number of seconds");
        var body = await refused.ReadJsonAsync();
        Assert.Equal("RateLimitError", body["name"]!.GetValue<string>());
        Assert.Contains("retry after", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task One_busy_key_does_not_slow_down_another()
    {
        var keys = factory.Services.GetRequiredService<ApiKeyService>();
        var busy = factory.CreateAgentClient((await keys.CreateAsync("busy", [], canSend: true)).Secret);
        var quiet = factory.CreateAgentClient((await keys.CreateAsync("quiet", [], canSend: true)).Secret);
        for (var i = 0; i < 5; i++)
        {
            await busy.GetAsync("/v0/drafts");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await busy.GetAsync("/v0/drafts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await quiet.GetAsync("/v0/drafts")).StatusCode);
    }

    [Fact]
    public async Task Requests_without_a_key_are_not_counted_against_anyone()
    {
        var anonymous = factory.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        }
    }
}
