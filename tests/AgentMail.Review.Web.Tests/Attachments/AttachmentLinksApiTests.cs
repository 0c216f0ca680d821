using System.Net;
using System.Net.Http.Json;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AgentMail.Review.Web.Tests.Attachments;

/// <summary>The host on a clock the tests move, so a download link can be seen to expire.</summary>
public sealed class ClockedReviewApiFactory : ReviewApiFactory
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

public sealed class AttachmentLinksApiTests(ClockedReviewApiFactory factory) : IClassFixture<ClockedReviewApiFactory>
{
    private static readonly byte[] Invoice = [0x25, 0x50, 0x44, 0x46, 0x00, 0xFF, 0x10, 0x80, 0x0A, 0x0D];

    private readonly HttpClient _api = factory.CreateAgentClient();

    /// <summary>Whoever holds a download link: no API key.</summary>
    private readonly HttpClient _anyone = factory.CreateClient();

    [Fact]
    public async Task A_drafts_attachment_answers_json_with_a_download_url_that_gives_the_exact_bytes_without_a_key()
    {
        var (inbox, draftId, attachmentId) = await DraftWithAttachmentAsync();

        var response = await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draftId}/attachments/{attachmentId}");
        var attachment = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(attachmentId, attachment["attachment_id"]!.GetValue<string>());
        Assert.Equal("invoice.pdf", attachment["filename"]!.GetValue<string>());
        Assert.Equal(Invoice.Length, attachment["size"]!.GetValue<long>());
        Assert.Equal("application/pdf", attachment["content_type"]!.GetValue<string>());
        Assert.Equal("attachment", attachment["content_disposition"]!.GetValue<string>());
        Assert.Equal("inv-1", attachment["content_id"]!.GetValue<string>());
        var expiresAt = DateTimeOffset.Parse(attachment["expires_at"]!.GetValue<string>());
        Assert.Equal(factory.Clock.GetUtcNow().AddHours(1), expiresAt, TimeSpan.FromSeconds(1));

        var download = await _anyone.GetAsync(attachment["download_url"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(Invoice, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/pdf", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("invoice.pdf", download.Content.Headers.ContentDisposition.FileName);
    }

    [Fact]
    public async Task The_organisation_wide_route_answers_the_same_attachment()
    {
        var (_, draftId, attachmentId) = await DraftWithAttachmentAsync();

        var attachment = await (await _api.GetAsync($"/v0/drafts/{draftId}/attachments/{attachmentId}")).ReadJsonAsync();

        Assert.Equal(attachmentId, attachment["attachment_id"]!.GetValue<string>());
        Assert.Equal(Invoice, await _anyone.GetByteArrayAsync(attachment["download_url"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_altered_or_foreign_link_is_refused_with_403_json()
    {
        var (inbox, draftId, attachmentId) = await DraftWithAttachmentAsync();
        var url = (await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draftId}/attachments/{attachmentId}")).ReadJsonAsync())["download_url"]!.GetValue<string>();
        var token = new Uri(url).Query["?token=".Length..];
        var middle = token.Length / 2;
        var altered = token[..middle] + (token[middle] == 'A' ? 'B' : 'A') + token[(middle + 1)..];

        foreach (var link in new[] { $"/v0/attachments/download?token={altered}", "/v0/attachments/download?token=not-a-token", "/v0/attachments/download" })
        {
            var refused = await _anyone.GetAsync(link);
            var body = await refused.ReadJsonAsync();
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("ForbiddenError", body["name"]!.GetValue<string>());
            Assert.Contains("not valid", body["message"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_link_is_refused_once_it_has_expired()
    {
        var (inbox, draftId, attachmentId) = await DraftWithAttachmentAsync();
        var attachment = await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draftId}/attachments/{attachmentId}")).ReadJsonAsync();
        var url = attachment["download_url"]!.GetValue<string>();

        factory.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, (await _anyone.GetAsync(url)).StatusCode);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var expired = await _anyone.GetAsync(url);

        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Equal("ForbiddenError", (await expired.ReadJsonAsync())["name"]!.GetValue<string>());
        var fresh = await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draftId}/attachments/{attachmentId}")).ReadJsonAsync();
        Assert.Equal(Invoice, await _anyone.GetByteArrayAsync(fresh["download_url"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_sent_messages_attachment_keeps_its_bytes_and_a_link_made_before_the_send_still_works()
    {
        var (inbox, draftId, attachmentId) = await DraftWithAttachmentAsync(to: "bob@example.com");
        var draftLink = (await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draftId}/attachments/{attachmentId}")).ReadJsonAsync())["download_url"]!.GetValue<string>();

        var sent = await (await _api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{draftId}/send", new { })).ReadJsonAsync();
        var messageId = Uri.EscapeDataString(sent["message_id"]!.GetValue<string>());
        var response = await _api.GetAsync($"/v0/inboxes/{inbox}/messages/{messageId}/attachments/{attachmentId}");
        var attachment = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("invoice.pdf", attachment["filename"]!.GetValue<string>());
        Assert.Equal(Invoice.Length, attachment["size"]!.GetValue<long>());
        Assert.Equal(Invoice, await _anyone.GetByteArrayAsync(attachment["download_url"]!.GetValue<string>()));
        Assert.Equal(Invoice, await _anyone.GetByteArrayAsync(draftLink));
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draftId}/attachments/{attachmentId}")).StatusCode);
    }

    [Fact]
    public async Task Unknown_attachments_and_ones_removed_since_the_link_was_made_answer_404_json()
    {
        var (inbox, draftId, attachmentId) = await DraftWithAttachmentAsync();
        var url = (await (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draftId}/attachments/{attachmentId}")).ReadJsonAsync())["download_url"]!.GetValue<string>();
        var unknown = await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draftId}/attachments/{Guid.NewGuid()}");
        var otherInbox = await _api.CreateInboxAsync();
        var wrongInbox = await _api.GetAsync($"/v0/inboxes/{otherInbox}/drafts/{draftId}/attachments/{attachmentId}");
        var unknownMessage = await _api.GetAsync($"/v0/inboxes/{inbox}/messages/{Uri.EscapeDataString("<nope@example.com>")}/attachments/{attachmentId}");

        var removed = await _api.PatchJsonAsync($"/v0/inboxes/{inbox}/drafts/{draftId}", new { remove_attachments = new[] { attachmentId } });
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        var gone = await _anyone.GetAsync(url);

        foreach (var response in new[] { unknown, wrongInbox, unknownMessage, gone })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("NotFoundError", (await response.ReadJsonAsync())["name"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_key_scoped_to_another_inbox_gets_no_link()
    {
        var (inbox, draftId, attachmentId) = await DraftWithAttachmentAsync();
        var elsewhere = await _api.CreateInboxAsync();
        var scoped = await factory.Services.GetRequiredService<Core.ApiKeys.ApiKeyService>().CreateAsync("scoped", [elsewhere], canSend: false);
        var agent = factory.CreateAgentClient(scoped.Secret);

        Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync($"/v0/inboxes/{inbox}/drafts/{draftId}/attachments/{attachmentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync($"/v0/drafts/{draftId}/attachments/{attachmentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _anyone.GetAsync($"/v0/drafts/{draftId}/attachments/{attachmentId}")).StatusCode);
    }

    private async Task<(string Inbox, string DraftId, string AttachmentId)> DraftWithAttachmentAsync(string? to = null)
    {
        var inbox = await _api.CreateInboxAsync();
        var draft = await _api.CreateDraftAsync(inbox, new
        {
            to = to is null ? Array.Empty<string>() : new[] { to },
            subject = "Invoice",
            attachments = new[] { new { filename = "invoice.pdf", content_type = "application/pdf", content_id = "inv-1", content = Convert.ToBase64String(Invoice) } },
        });
        var attachments = draft["attachments"]!.AsArray();
        return (inbox, draft["draft_id"]!.GetValue<string>(), attachments.Single()!["attachment_id"]!.GetValue<string>());
    }
}
