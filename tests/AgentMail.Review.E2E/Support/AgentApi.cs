using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AgentMail.Review.E2E.Support;

/// <summary>Plain HTTP calls on a running server's API, as an agent without the SDK makes them.</summary>
public static class AgentApi
{
    /// <summary>A client with the server's development key.</summary>
    public static HttpClient Client(ServerProcess server, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = server.BaseUrl, Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.ApiKey);
        return client;
    }

    public static async Task<string> CreateInboxAsync(this HttpClient api, string prefix = "e2e") =>
        (await api.PostJsonAsync("/v0/inboxes", new { username = $"{prefix}-{Guid.NewGuid():N}"[..16], domain = "example.com" }))["inbox_id"]!.GetValue<string>();

    /// <summary>POSTs the body and returns the answer, failing the test (with the answer) unless it succeeded.</summary>
    public static async Task<JsonObject> PostJsonAsync(this HttpClient api, string url, object body)
    {
        var response = await api.PostAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonObject> GetJsonAsync(this HttpClient api, string url) =>
        JsonNode.Parse(await api.GetStringAsync(url))!.AsObject();
}
