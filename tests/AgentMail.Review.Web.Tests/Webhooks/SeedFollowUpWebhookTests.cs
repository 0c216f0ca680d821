using System.Net;
using System.Net.Http.Json;
using AgentMail.Review.Core.Inbound;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace AgentMail.Review.Web.Tests.Webhooks;

/// <summary>
/// AgentMail's "Conditional Follow-Ups" exactly as its documentation writes it: a follow-up scheduled in the thread,
/// the thread labelled <c>follow-up:&lt;draft_id&gt;</c>, and a <c>message.received</c> webhook handler that finds
/// the label, deletes the draft and removes the label. The handler is a real HTTP server calling this API back.
/// </summary>
public sealed class SeedFollowUpWebhookTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    [Fact]
    public async Task A_reply_cancels_the_follow_up_through_the_agents_own_webhook_before_it_leaves()
    {
        var api = factory.CreateAgentClient();
        var inboxId = await api.CreateInboxAsync();
        // The server's own reply handling is off here: the agent's webhook alone must cancel the follow-up.
        await factory.Services.GetRequiredService<InboxService>().SetOnReplyAsync(inboxId, OnReplyPolicy.None);

        await using var receiver = await WebhookReceiver.StartAsync();
        var handled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Handler = async evt =>
        {
            // In your webhook handler for "message.received":
            var inbox = evt["message"]!["inbox_id"]!.GetValue<string>();
            var threadId = evt["message"]!["thread_id"]!.GetValue<string>();
            var thread = await (await api.GetAsync($"/v0/inboxes/{inbox}/threads/{threadId}")).ReadJsonAsync();
            foreach (var label in thread["labels"].Strings())
            {
                if (label.StartsWith("follow-up:", StringComparison.Ordinal))
                {
                    var draftId = label.Split("follow-up:")[1];
                    await api.DeleteAsync($"/v0/inboxes/{inbox}/drafts/{draftId}"); // may have been sent already
                    await api.PatchJsonAsync($"/v0/inboxes/{inbox}/threads/{threadId}", new { remove_labels = new[] { label } });
                    handled.TrySetResult(draftId);
                    break;
                }
            }
        };
        var webhook = await (await api.PostAsJsonAsync("/v0/webhooks", new { url = receiver.Url, event_types = new[] { "message.received" } })).ReadJsonAsync();
        receiver.Secret = webhook["secret"]!.GetValue<string>();

        // 1. Send the initial email and schedule the follow-up.
        var initial = await (await api.PostAsJsonAsync($"/v0/inboxes/{inboxId}/messages/send",
            new { to = new[] { "prospect@example.com" }, subject = "Quick question about your workflow", text = "Hi, I noticed your team is scaling quickly..." })).ReadJsonAsync();
        var messageId = initial["message_id"]!.GetValue<string>();
        var threadId = initial["thread_id"]!.GetValue<string>();
        await WebhookDeliveryTests.Eventually(async () => (await api.GetAsync($"/v0/inboxes/{inboxId}/messages/{Uri.EscapeDataString(messageId)}")).IsSuccessStatusCode);
        var followUp = await api.CreateDraftAsync(inboxId, new
        {
            to = new[] { "prospect@example.com" },
            subject = "Re: Quick question about your workflow",
            text = "Hi again — just bumping this in case it got buried...",
            in_reply_to = messageId,
            send_at = ApiClientExtensions.Iso(DateTime.UtcNow.AddDays(3)),
        });
        var followUpId = followUp["draft_id"]!.GetValue<string>();
        var tagged = await api.PatchJsonAsync($"/v0/inboxes/{inboxId}/threads/{threadId}", new { add_labels = new[] { $"follow-up:{followUpId}" } });
        Assert.True(tagged.IsSuccessStatusCode, await tagged.Content.ReadAsStringAsync());

        // 2. The prospect replies.
        var reply = new MimeMessage { Subject = "Re: Quick question about your workflow", InReplyTo = messageId.Trim('<', '>') };
        reply.From.Add(MailboxAddress.Parse("prospect@example.com"));
        reply.To.Add(MailboxAddress.Parse(inboxId));
        reply.References.Add(messageId.Trim('<', '>'));
        reply.Body = new TextPart("plain") { Text = "Yes, let's talk on Tuesday." };
        using var raw = new MemoryStream();
        await reply.WriteToAsync(raw);
        var received = await factory.Services.GetRequiredService<InboundMailService>().ReceiveAsync(inboxId, reply, raw.ToArray());

        var evt = await receiver.NextOfAsync("message.received");
        Assert.True(evt.SvixVerified);
        Assert.Equal(received.MessageId, evt.Json["message"]!["message_id"]!.GetValue<string>());
        Assert.Equal(threadId, evt.Json["thread"]!["thread_id"]!.GetValue<string>());
        Assert.Contains("Tuesday", evt.Json["message"]!["text"]!.GetValue<string>());
        Assert.Equal(followUpId, await handled.Task.WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/v0/inboxes/{inboxId}/drafts/{followUpId}")).StatusCode);
        var thread = await (await api.GetAsync($"/v0/inboxes/{inboxId}/threads/{threadId}")).ReadJsonAsync();
        Assert.DoesNotContain(thread["labels"].Strings(), l => l.StartsWith("follow-up:", StringComparison.Ordinal));
        await using var db = factory.OpenDb();
        Assert.False(await db.Messages.AnyAsync(m => m.DraftId == followUpId));
    }
}
