using System.Net;
using System.Net.Http.Json;
using AgentMail.Review.Core.ApiKeys;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Web.Tests.Sending;

/// <summary>What an agent meets when it sends: idempotency keys, recipients, attachment headers MIME can build.</summary>
public sealed class SendRulesApiTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    private readonly HttpClient _api = factory.CreateAgentClient();

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string inbox, string draftId, string? idempotencyKey, object? body = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v0/inboxes/{inbox}/drafts/{draftId}/send") { Content = JsonContent.Create(body ?? new { }) };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request);
    }

    private async Task<string> DraftAsync(string inbox, string subject) =>
        (await _api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject }))["draft_id"]!.GetValue<string>();

    private async Task<int> MessagesAsync(string inbox)
    {
        await using var db = factory.OpenDb();
        return await db.Messages.CountAsync(m => m.InboxId == inbox);
    }

    [Fact]
    public async Task An_idempotency_key_used_for_another_draft_is_a_conflict_and_that_draft_is_not_sent()
    {
        var inbox = await _api.CreateInboxAsync();
        var a = await DraftAsync(inbox, "A");
        var b = await DraftAsync(inbox, "B");

        var first = await SendAsync(_api, inbox, a, "order-42");
        var reused = await SendAsync(_api, inbox, b, "order-42");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Equal("ConflictError", (await reused.ReadJsonAsync())["name"]!.GetValue<string>());
        Assert.Equal(1, await MessagesAsync(inbox));
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{b}")).StatusCode);
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_is_a_conflict()
    {
        var inbox = await _api.CreateInboxAsync();
        var a = await DraftAsync(inbox, "A");

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_api, inbox, a, "k-1")).StatusCode);
        var changed = await SendAsync(_api, inbox, a, "k-1", new { add_labels = new[] { "other" } });

        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
    }

    [Fact]
    public async Task Idempotency_keys_belong_to_their_caller()
    {
        var inbox = await _api.CreateInboxAsync();
        var other = factory.CreateAgentClient((await factory.Services.GetRequiredService<ApiKeyService>().CreateAsync("other agent", [], canSend: true)).Secret);
        var a = await DraftAsync(inbox, "A");
        var b = await DraftAsync(inbox, "B");

        var mine = await SendAsync(_api, inbox, a, "shared-name");
        var theirs = await SendAsync(other, inbox, b, "shared-name");

        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Equal(HttpStatusCode.OK, theirs.StatusCode);
        Assert.NotEqual((await mine.ReadJsonAsync())["message_id"]!.GetValue<string>(), (await theirs.ReadJsonAsync())["message_id"]!.GetValue<string>());
        Assert.Equal(2, await MessagesAsync(inbox));
    }

    [Fact]
    public async Task A_blank_idempotency_key_is_refused_by_name_and_nothing_is_sent()
    {
        var inbox = await _api.CreateInboxAsync();
        var a = await DraftAsync(inbox, "A");

        var response = await SendAsync(_api, inbox, a, "   ");
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Idempotency-Key", body.ErrorFields());
        Assert.Equal(0, await MessagesAsync(inbox));
    }

    [Fact]
    public async Task The_key_is_looked_at_only_after_the_inbox_is_known_to_be_the_callers()
    {
        var inbox = await _api.CreateInboxAsync();
        var a = await DraftAsync(inbox, "A");
        var scopedKey = await factory.Services.GetRequiredService<ApiKeyService>().CreateAsync("elsewhere", ["nobody@example.com"], canSend: true);
        var stranger = factory.CreateAgentClient(scopedKey.Secret);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_api, inbox, a, "k-9")).StatusCode);
        var response = await SendAsync(stranger, inbox, a, "k-9");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_draft_whose_recipients_were_cleared_is_not_sent_and_the_error_names_to()
    {
        var inbox = await _api.CreateInboxAsync();
        var a = await DraftAsync(inbox, "A");
        Assert.Equal(HttpStatusCode.OK, (await _api.PatchJsonAsync($"/v0/inboxes/{inbox}/drafts/{a}", new Dictionary<string, object?> { ["to"] = null })).StatusCode);

        var response = await SendAsync(_api, inbox, a, null);
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("to", body.ErrorFields());
        Assert.Equal(0, await MessagesAsync(inbox));
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{a}")).StatusCode);
    }

    [Theory]
    [InlineData("content_id", "<>")]
    [InlineData("content_type", "text/plain; charset=\"utf-8")]
    public async Task Attachment_headers_that_cannot_be_built_into_mail_are_refused_at_create(string field, string value)
    {
        var inbox = await _api.CreateInboxAsync();
        var attachment = new Dictionary<string, object?> { ["filename"] = "a.txt", ["content"] = Convert.ToBase64String("hi"u8.ToArray()), [field] = value };

        var response = await _api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts", new { to = new[] { "bob@example.com" }, attachments = new[] { attachment } });
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal($"attachments[0].{field}", body.ErrorFields());
        await using var db = factory.OpenDb();
        Assert.False(await db.Drafts.AnyAsync(d => d.InboxId == inbox));
    }
}

/// <summary>The product's defaults, as a new deployment has them: review on, keys without send permission.</summary>
public sealed class GateDefaultsApiTests(GateDefaultsApiTests.DefaultPolicyFactory factory) : IClassFixture<GateDefaultsApiTests.DefaultPolicyFactory>
{
    public sealed class DefaultPolicyFactory : ReviewApiFactory
    {
        protected override bool UsesProductPolicy => true;
    }

    [Fact]
    public async Task A_new_inbox_requires_review_and_even_a_sending_key_is_held()
    {
        var api = factory.CreateAgentClient();
        var inbox = await api.CreateInboxAsync();
        var shown = await (await api.GetAsync($"/v0/inboxes/{inbox}")).ReadJsonAsync();
        var draft = await api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "hi" });

        var send = await api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}/send", new { });

        Assert.True(shown["review_required"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Accepted, send.StatusCode);
        await using var db = factory.OpenDb();
        Assert.False(await db.Messages.AnyAsync(m => m.InboxId == inbox));
    }

    [Fact]
    public async Task A_new_key_may_not_send_unless_created_so()
    {
        var keys = factory.Services.GetRequiredService<ApiKeyService>();
        var created = await keys.CreateAsync("new agent", [], canSend: false);

        Assert.False(created.Key.CanSend);
        Assert.False(new ApiKey { ApiKeyId = "x", Name = "x", Prefix = "x", Hash = "x" }.CanSend);
    }
}
