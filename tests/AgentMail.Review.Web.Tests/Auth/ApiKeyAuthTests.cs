using System.Net;
using System.Net.Http.Json;
using AgentMail.Review.Core.ApiKeys;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Web.Tests.Auth;

public sealed class ApiKeyAuthTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    [Theory]
    [InlineData(null)]
    [InlineData("am_wrong_key")]
    public async Task A_missing_or_wrong_key_gets_401_in_agentmail_shape(string? key)
    {
        var response = await factory.CreateAgentClient(key).GetAsync("/v0/drafts");
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("UnauthorizedError", body["name"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Keys_are_stored_hashed_and_the_clear_key_is_nowhere_in_the_database()
    {
        var created = await factory.Services.GetRequiredService<ApiKeyService>().CreateAsync("crm agent", [], canSend: true);
        var response = await factory.CreateAgentClient(created.Secret).GetAsync("/v0/inboxes");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var file = await File.ReadAllBytesAsync(factory.DatabasePath);
        var wal = File.Exists(factory.DatabasePath + "-wal") ? await File.ReadAllBytesAsync(factory.DatabasePath + "-wal") : [];
        Assert.DoesNotContain(created.Secret, System.Text.Encoding.UTF8.GetString(file) + System.Text.Encoding.UTF8.GetString(wal));
        Assert.DoesNotContain(ReviewApiFactory.DevKey, System.Text.Encoding.UTF8.GetString(file) + System.Text.Encoding.UTF8.GetString(wal));
    }

    [Fact]
    public async Task A_key_scoped_to_one_inbox_sees_nothing_of_another()
    {
        var admin = factory.CreateAgentClient();
        var mine = await admin.CreateInboxAsync();
        var theirs = await admin.CreateInboxAsync();
        var theirDraft = await admin.CreateDraftAsync(theirs, new { subject = "private" });
        var scoped = await factory.Services.GetRequiredService<ApiKeyService>().CreateAsync("scoped", [mine], canSend: false);
        var agent = factory.CreateAgentClient(scoped.Secret);

        Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync($"/v0/inboxes/{theirs}/drafts/{theirDraft["draft_id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync($"/v0/drafts/{theirDraft["draft_id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.PostAsJsonAsync($"/v0/inboxes/{theirs}/drafts", new { subject = "x" })).StatusCode);
        var inboxes = await (await agent.GetAsync("/v0/inboxes")).ReadJsonAsync();
        Assert.Equal([mine], inboxes["inboxes"]!.AsArray().Select(i => i!["inbox_id"]!.GetValue<string>()));
        var drafts = await (await agent.GetAsync("/v0/drafts?limit=500")).ReadJsonAsync();
        Assert.DoesNotContain(drafts["drafts"]!.AsArray(), d => d!["inbox_id"]!.GetValue<string>() == theirs);

        // A key that may not send is held for review rather than refused: accepted, and nothing leaves.
        var own = await agent.CreateDraftAsync(mine, new { to = new[] { "a@example.com" } });
        var send = await agent.PostAsJsonAsync($"/v0/inboxes/{mine}/drafts/{own["draft_id"]}/send", new { });
        Assert.Equal(HttpStatusCode.Accepted, send.StatusCode);
        await using var db = factory.OpenDb();
        Assert.False(await db.Messages.AnyAsync(m => m.InboxId == mine));
    }

    [Fact]
    public async Task A_revoked_key_stops_working_at_once()
    {
        var keys = factory.Services.GetRequiredService<ApiKeyService>();
        var created = await keys.CreateAsync("short-lived", [], canSend: true);
        var agent = factory.CreateAgentClient(created.Secret);
        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync("/v0/inboxes")).StatusCode);

        await keys.RevokeAsync(created.Key.ApiKeyId);

        Assert.Equal(HttpStatusCode.Unauthorized, (await agent.GetAsync("/v0/inboxes")).StatusCode);
        await using var db = factory.OpenDb();
        Assert.NotNull((await db.ApiKeys.SingleAsync(k => k.ApiKeyId == created.Key.ApiKeyId)).LastUsedAt);
    }
}
