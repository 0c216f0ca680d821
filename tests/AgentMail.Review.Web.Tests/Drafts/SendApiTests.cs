using System.Net;
using System.Net.Http.Json;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace AgentMail.Review.Web.Tests.Drafts;

public sealed class SendApiTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    private readonly HttpClient _api = factory.CreateAgentClient();

    [Fact]
    public async Task Sending_turns_the_draft_into_a_message_in_the_outbox()
    {
        var inbox = await _api.CreateInboxAsync();
        var draft = await _api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, bcc = new[] { "hidden@example.com" }, subject = "Offer", text = "Hi Bob", labels = new[] { "sales" } });
        var draftId = draft["draft_id"]!.GetValue<string>();

        var response = await _api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{draftId}/send", new { });
        var sent = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var messageId = sent["message_id"]!.GetValue<string>();
        Assert.Equal($"<{draftId}@example.com>", messageId);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync($"/v0/inboxes/{inbox}/drafts/{draftId}")).StatusCode);

        var message = await (await _api.GetAsync($"/v0/inboxes/{inbox}/messages/{Uri.EscapeDataString(messageId)}")).ReadJsonAsync();
        Assert.Equal("Offer", message["subject"]!.GetValue<string>());
        Assert.Equal("Hi Bob", message["text"]!.GetValue<string>());
        Assert.Equal(inbox, message["from"]!.GetValue<string>());
        Assert.Equal(["sent", "sales"], message["labels"].Strings());
        Assert.Equal(sent["thread_id"]!.GetValue<string>(), message["thread_id"]!.GetValue<string>());

        var list = await (await _api.GetAsync($"/v0/inboxes/{inbox}/messages")).ReadJsonAsync();
        Assert.Equal([messageId], list["messages"]!.AsArray().Select(m => m!["message_id"]!.GetValue<string>()));

        await using var db = factory.OpenDb();
        var outbox = await db.Outbox.SingleAsync(o => o.MessageId == messageId);
        var mime = MimeMessage.Load(new MemoryStream(outbox.Mime));
        Assert.Equal("Offer", mime.Subject);
        Assert.Equal(draftId + "@example.com", mime.MessageId);
        Assert.Empty(mime.Bcc);
        Assert.Contains("hidden@example.com", outbox.Recipients);
    }

    [Fact]
    public async Task A_reply_derives_recipients_subject_and_thread_from_the_message()
    {
        var inbox = await _api.CreateInboxAsync();
        var original = await _api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "Offer", text = "first" });
        var sent = await (await _api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{original["draft_id"]}/send", new { })).ReadJsonAsync();

        var reply = await _api.CreateDraftAsync(inbox, new { in_reply_to = sent["message_id"]!.GetValue<string>(), text = "follow-up" });
        var replySent = await (await _api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{reply["draft_id"]}/send", new { })).ReadJsonAsync();

        Assert.Equal(["bob@example.com"], reply["to"].Strings());
        Assert.Equal("Re: Offer", reply["subject"]!.GetValue<string>());
        Assert.Equal([sent["message_id"]!.GetValue<string>()], reply["references"].Strings());
        Assert.Equal(sent["thread_id"]!.GetValue<string>(), replySent["thread_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_retried_send_with_the_same_idempotency_key_answers_the_same_message()
    {
        var inbox = await _api.CreateInboxAsync();
        var draft = await _api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "once" });
        var url = $"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}/send";

        async Task<HttpResponseMessage> SendWithKey()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new { }) };
            request.Headers.Add("Idempotency-Key", "retry-7");
            return await _api.SendAsync(request);
        }

        var first = await (await SendWithKey()).ReadJsonAsync();
        var again = await SendWithKey();
        var withoutKey = await _api.PostAsJsonAsync(url, new { });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first["message_id"]!.GetValue<string>(), (await again.ReadJsonAsync())["message_id"]!.GetValue<string>());
        // Without the key a retry is still safe: the draft's send is answered, not repeated.
        Assert.Equal(HttpStatusCode.OK, withoutKey.StatusCode);
        Assert.Equal(first["message_id"]!.GetValue<string>(), (await withoutKey.ReadJsonAsync())["message_id"]!.GetValue<string>());
        await using var db = factory.OpenDb();
        Assert.Equal(1, await db.Messages.CountAsync(m => m.InboxId == inbox));
    }
}
