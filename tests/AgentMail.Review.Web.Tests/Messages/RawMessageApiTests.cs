using System.Net;
using System.Net.Http.Json;
using System.Text;
using AgentMail.Review.Core.Inbound;
using AgentMail.Review.Web.Tests.Attachments;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace AgentMail.Review.Web.Tests.Messages;

/// <summary><c>messages.get_raw</c> and thread attachments: signed links to what was sent or received, byte for byte.</summary>
public sealed class RawMessageApiTests(ClockedReviewApiFactory factory) : IClassFixture<ClockedReviewApiFactory>
{
    private static readonly byte[] Contract = [0x25, 0x50, 0x44, 0x46, 0x00, 0xFF, 0x10, 0x80, 0x0A, 0x0D];

    private readonly HttpClient _api = factory.CreateAgentClient();

    private readonly HttpClient _anyone = factory.CreateClient();

    [Fact]
    public async Task A_sent_messages_raw_link_downloads_the_mime_that_went_out()
    {
        var inbox = await _api.CreateInboxAsync();
        var draft = await _api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "Quarterly numbers", text = "Here they are." });
        var sent = await (await _api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}/send", new { })).ReadJsonAsync();
        var messageId = sent["message_id"]!.GetValue<string>();

        var response = await _api.GetAsync($"/v0/inboxes/{inbox}/messages/{Uri.EscapeDataString(messageId)}/raw");
        var raw = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(messageId, raw["message_id"]!.GetValue<string>());
        Assert.Equal(factory.Clock.GetUtcNow().AddHours(1), DateTimeOffset.Parse(raw["expires_at"]!.GetValue<string>()), TimeSpan.FromSeconds(1));
        var download = await _anyone.GetAsync(raw["download_url"]!.GetValue<string>());
        var bytes = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("message/rfc822", download.Content.Headers.ContentType!.MediaType);
        Assert.EndsWith(".eml", download.Content.Headers.ContentDisposition!.FileName);
        Assert.Equal(raw["size"]!.GetValue<long>(), bytes.Length);
        // RFC 5322's line end on every host, as it went on the wire: a mail program opening the .eml expects it.
        Assert.DoesNotMatch("(?<!\r)\n", Encoding.ASCII.GetString(bytes));
        var parsed = MimeMessage.Load(new MemoryStream(bytes));
        Assert.Equal(messageId, "<" + parsed.MessageId + ">");
        Assert.Equal("Quarterly numbers", parsed.Subject);
        Assert.Equal("Here they are.", parsed.TextBody!.Trim());
    }

    [Fact]
    public async Task A_received_messages_raw_is_exactly_the_bytes_that_arrived()
    {
        var inbox = await _api.CreateInboxAsync();
        // A header folded oddly and a body in Latin-1: anything re-encoded on the way would show.
        var arrived = Encoding.Latin1.GetBytes(
            "From: Ana <ana@example.com>\r\nTo: " + inbox + "\r\nSubject: Re: your offer\r\n\tcontinued\r\nMessage-ID: <raw-" + Guid.NewGuid().ToString("N") + "@example.com>\r\n" +
            "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\u00fc\u00dfe, sounds good.\r\n");
        var received = await factory.Services.GetRequiredService<InboundMailService>()
            .ReceiveAsync(inbox, MimeMessage.Load(new MemoryStream(arrived)), arrived);

        var raw = await (await _api.GetAsync($"/v0/inboxes/{inbox}/messages/{Uri.EscapeDataString(received.MessageId)}/raw")).ReadJsonAsync();

        Assert.Equal(arrived.Length, raw["size"]!.GetValue<long>());
        Assert.Equal(arrived, await _anyone.GetByteArrayAsync(raw["download_url"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_raw_link_is_refused_when_altered_and_the_message_is_not_found_from_another_inbox()
    {
        var inbox = await _api.CreateInboxAsync();
        var draft = await _api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "Hi" });
        var sent = await (await _api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}/send", new { })).ReadJsonAsync();
        var messageId = Uri.EscapeDataString(sent["message_id"]!.GetValue<string>());
        var url = (await (await _api.GetAsync($"/v0/inboxes/{inbox}/messages/{messageId}/raw")).ReadJsonAsync())["download_url"]!.GetValue<string>();
        var other = await _api.CreateInboxAsync();

        var altered = await _anyone.GetAsync(url[..^3] + (url[^3] == 'A' ? "B" : "A") + url[^2..]);
        var elsewhere = await _api.GetAsync($"/v0/inboxes/{other}/messages/{messageId}/raw");
        var unknown = await _api.GetAsync($"/v0/inboxes/{inbox}/messages/{Uri.EscapeDataString("<nope@example.com>")}/raw");

        Assert.Equal(HttpStatusCode.Forbidden, altered.StatusCode);
        Assert.Equal("ForbiddenError", (await altered.ReadJsonAsync())["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("NotFoundError", (await unknown.ReadJsonAsync())["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_threads_attachments_are_its_messages_attachments_per_inbox_and_organisation_wide()
    {
        var inbox = await _api.CreateInboxAsync();
        var draft = await _api.CreateDraftAsync(inbox, new
        {
            to = new[] { "bob@example.com" },
            subject = "Contract",
            attachments = new[] { new { filename = "contract.pdf", content_type = "application/pdf", content = Convert.ToBase64String(Contract) } },
        });
        var attachmentId = draft["attachments"]!.AsArray().Single()!["attachment_id"]!.GetValue<string>();
        var sent = await (await _api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}/send", new { })).ReadJsonAsync();
        var threadId = sent["thread_id"]!.GetValue<string>();

        var inInbox = await (await _api.GetAsync($"/v0/inboxes/{inbox}/threads/{threadId}/attachments/{attachmentId}")).ReadJsonAsync();
        var orgWide = await (await _api.GetAsync($"/v0/threads/{threadId}/attachments/{attachmentId}")).ReadJsonAsync();

        foreach (var attachment in new[] { inInbox, orgWide })
        {
            Assert.Equal("contract.pdf", attachment["filename"]!.GetValue<string>());
            Assert.Equal(Contract.Length, attachment["size"]!.GetValue<long>());
            Assert.Equal(Contract, await _anyone.GetByteArrayAsync(attachment["download_url"]!.GetValue<string>()));
        }

        var other = await _api.CreateInboxAsync();
        var scoped = await factory.Services.GetRequiredService<Core.ApiKeys.ApiKeyService>().CreateAsync("scoped", [other], canSend: false);
        var outsider = factory.CreateAgentClient(scoped.Secret);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync($"/v0/inboxes/{other}/threads/{threadId}/attachments/{attachmentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync($"/v0/threads/{threadId}/attachments/{attachmentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync($"/v0/threads/{threadId}/attachments/{Guid.NewGuid()}")).StatusCode);
    }
}
