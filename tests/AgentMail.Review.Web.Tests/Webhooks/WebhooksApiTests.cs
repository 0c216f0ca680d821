using System.Net;
using System.Net.Http.Json;
using AgentMail.Review.Core.ApiKeys;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Web.Tests.Webhooks;

/// <summary><c>/v0/webhooks</c> as the SDKs call it, within what the caller's key may see.</summary>
public sealed class WebhooksApiTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    [Fact]
    public async Task An_agent_registers_lists_changes_and_removes_an_endpoint()
    {
        var api = factory.CreateAgentClient();
        var inbox = await api.CreateInboxAsync();
        var created = await api.PostAsJsonAsync("/v0/webhooks", new { url = "https://example.com/hooks", event_types = new[] { "message.received" }, inbox_ids = new[] { inbox } });
        var webhook = await created.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var id = webhook["webhook_id"]!.GetValue<string>();
        Assert.StartsWith("whsec_", webhook["secret"]!.GetValue<string>());
        Assert.True(Convert.FromBase64String(webhook["secret"]!.GetValue<string>()["whsec_".Length..]).Length >= 24);
        Assert.True(webhook["enabled"]!.GetValue<bool>());
        Assert.Equal([inbox], webhook["inbox_ids"].Strings());
        Assert.Equal(["message.received"], webhook["event_types"].Strings());

        var listed = await (await api.GetAsync("/v0/webhooks")).ReadJsonAsync();
        Assert.Contains(listed["webhooks"]!.AsArray(), w => w!["webhook_id"]!.GetValue<string>() == id);

        var patched = await api.PatchJsonAsync($"/v0/webhooks/{id}", new { event_types = new[] { "message.received", "draft.approved" }, remove_inbox_ids = new[] { inbox } });
        var changed = await patched.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(["message.received", "draft.approved"], changed["event_types"].Strings());
        Assert.Null(changed["inbox_ids"]);
        Assert.Equal(webhook["secret"]!.GetValue<string>(), changed["secret"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/v0/webhooks/{id}")).StatusCode);
        var gone = await api.GetAsync($"/v0/webhooks/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("NotFoundError", (await gone.ReadJsonAsync())["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_client_id_answers_the_endpoint_it_made_with_its_secret()
    {
        var api = factory.CreateAgentClient();
        var body = new { url = "https://example.com/once", event_types = new[] { "message.sent" }, client_id = $"hook-{Guid.NewGuid():N}" };
        var first = await (await api.PostAsJsonAsync("/v0/webhooks", body)).ReadJsonAsync();
        var second = await (await api.PostAsJsonAsync("/v0/webhooks", body)).ReadJsonAsync();
        Assert.Equal(first["webhook_id"]!.GetValue<string>(), second["webhook_id"]!.GetValue<string>());
        Assert.Equal(first["secret"]!.GetValue<string>(), second["secret"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_requests_are_refused_naming_the_field()
    {
        var api = factory.CreateAgentClient();
        async Task<string> FieldsOf(object body)
        {
            var response = await api.PostAsJsonAsync("/v0/webhooks", body);
            var error = await response.ReadJsonAsync();
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("ValidationError", error["name"]!.GetValue<string>());
            return error.ErrorFields();
        }

        Assert.Equal("event_types[1]", await FieldsOf(new { url = "https://example.com/h", event_types = new[] { "message.received", "message.teleported" } }));
        Assert.Equal("url", await FieldsOf(new { event_types = new[] { "message.received" } }));
        Assert.Equal("url", await FieldsOf(new { url = "ftp://example.com/h", event_types = new[] { "message.received" } }));
        Assert.Equal("event_types", await FieldsOf(new { url = "https://example.com/h", event_types = Array.Empty<string>() }));
        Assert.Equal("inbox_ids[0]", await FieldsOf(new { url = "https://example.com/h", event_types = new[] { "message.received" }, inbox_ids = new[] { "nobody@example.com" } }));
        Assert.Equal("colour", await FieldsOf(new { url = "https://example.com/h", event_types = new[] { "message.received" }, colour = "red" }));
    }

    [Fact]
    public async Task A_key_scoped_to_one_inbox_registers_for_it_alone_and_sees_only_such_endpoints()
    {
        var admin = factory.CreateAgentClient();
        var mine = await admin.CreateInboxAsync();
        var theirs = await admin.CreateInboxAsync();
        var orgWide = await (await admin.PostAsJsonAsync("/v0/webhooks", new { url = "https://example.com/org", event_types = new[] { "message.received" } })).ReadJsonAsync();
        var scoped = await factory.Services.GetRequiredService<ApiKeyService>().CreateAsync("scoped", [mine], canSend: false);
        var agent = factory.CreateAgentClient(scoped.Secret);

        var foreign = await agent.PostAsJsonAsync("/v0/webhooks", new { url = "https://example.com/x", event_types = new[] { "message.received" }, inbox_ids = new[] { theirs } });
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Equal("inbox_ids[0]", (await foreign.ReadJsonAsync()).ErrorFields());

        var own = await (await agent.PostAsJsonAsync("/v0/webhooks", new { url = "https://example.com/mine", event_types = new[] { "message.received" } })).ReadJsonAsync();
        Assert.Equal([mine], own["inbox_ids"].Strings());
        var listed = await (await agent.GetAsync("/v0/webhooks")).ReadJsonAsync();
        Assert.Equal([own["webhook_id"]!.GetValue<string>()], listed["webhooks"]!.AsArray().Select(w => w!["webhook_id"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync($"/v0/webhooks/{orgWide["webhook_id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.DeleteAsync($"/v0/webhooks/{orgWide["webhook_id"]}")).StatusCode);
    }
}

/// <summary>The production setting: endpoints on this machine's or its network's addresses are refused.</summary>
public sealed class PrivateNetworkFactory : ReviewApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Review:Webhooks:AllowPrivateNetworks"] = "false" };
}

public sealed class WebhookPrivateNetworkTests(PrivateNetworkFactory factory) : IClassFixture<PrivateNetworkFactory>
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://192.168.0.10/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[fd00::1]/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    public async Task An_endpoint_on_a_private_address_is_refused_naming_url(string url)
    {
        var api = factory.CreateAgentClient();
        var response = await api.PostAsJsonAsync("/v0/webhooks", new { url, event_types = new[] { "message.received" } });
        var error = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("url", error.ErrorFields());
        Assert.Contains("private", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_later_is_refused_when_connecting()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var http = factory.Services.GetRequiredService<Core.Webhooks.WebhookHttp>();
        // The registered URL named a host; by delivery time it resolves to this machine.
        var url = receiver.Url.Replace("127.0.0.1", "localhost");
        var result = await http.PostAsync(url, "{}"u8.ToArray(), [], CancellationToken.None);
        Assert.Null(result.StatusCode);
        Assert.Contains("private", result.Error);
        Assert.Empty(receiver.All);
    }
}
