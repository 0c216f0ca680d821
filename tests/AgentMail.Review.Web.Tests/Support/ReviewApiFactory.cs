using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentMail.Review.Core.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Web.Tests.Support;

/// <summary>The real host over a real SQLite file in a fresh temporary folder, with the development API key.</summary>
public class ReviewApiFactory : WebApplicationFactory<Program>
{
    public const string DevKey = "am_test_dev_key_for_web_tests_000000";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "amr-web-tests", Guid.NewGuid().ToString("N"));

    public ReviewApiFactory()
    {
        Directory.CreateDirectory(_folder);
    }

    public string DatabasePath => Path.Combine(_folder, "review.db");

    /// <summary>True to run with the review policy a new deployment has (new inboxes require review).</summary>
    protected virtual bool UsesProductPolicy => false;

    /// <summary>Extra settings for one test class; applied after the defaults below.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Review", $"Data Source={DatabasePath}");
        builder.UseSetting("Review:DevApiKey", DevKey);
        // Many hosts run at once here; none needs to receive mail, and Development's fixed SMTP port fits only one.
        builder.UseSetting("Inbound:Smtp:Enabled", "false");
        if (!UsesProductPolicy)
        {
            // The API's mechanics are tested in inboxes without review; the gate's tests keep the product's default.
            builder.UseSetting("Review:Policy:DefaultReviewRequired", "false");
        }
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient CreateAgentClient(string? key = DevKey)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public ReviewDbContext OpenDb() => Services.GetRequiredService<IDbContextFactory<ReviewDbContext>>().CreateDbContext();

    /// <summary>
    /// xunit disposes fixtures asynchronously, and the base class disposes the host there before it calls
    /// <see cref="Dispose(bool)"/>: Hangfire must let go of this host's logger factory first.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        ForgetHangfireLogProvider();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        ForgetHangfireLogProvider();
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Hangfire keeps the last started host's logger factory in a static. Cleared before a host is disposed, so a host
    /// starting meanwhile on another thread never asks a disposed factory for a logger.
    /// </summary>
    private static void ForgetHangfireLogProvider() => Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
}

public static class ApiClientExtensions
{
    public static async Task<string> CreateInboxAsync(this HttpClient client, string? username = null)
    {
        var response = await client.PostAsJsonAsync("/v0/inboxes", new { username = username ?? $"agent-{Guid.NewGuid():N}"[..16], domain = "example.com" });
        var body = await response.ReadJsonAsync();
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return body["inbox_id"]!.GetValue<string>();
    }

    public static async Task<JsonObject> CreateDraftAsync(this HttpClient client, string inbox, object draft)
    {
        var response = await client.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts", draft);
        var body = await response.ReadJsonAsync();
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return body;
    }

    public static async Task<JsonObject> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return string.IsNullOrEmpty(text) ? [] : JsonNode.Parse(text)!.AsObject();
    }

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, object body) =>
        client.PatchAsync(url, JsonContent.Create(body));

    public static Task<HttpResponseMessage> PostRawJsonAsync(this HttpClient client, string url, string json) =>
        client.PostAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public static string[] Strings(this JsonNode? node) => node is null ? [] : node.AsArray().Select(n => n!.GetValue<string>()).ToArray();

    public static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");

    public static string ErrorFields(this JsonObject error) =>
        string.Join(",", error["errors"]?.AsArray().Select(e => e!["field"]!.GetValue<string>()) ?? []);

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);
}
