using System.Net.Http.Json;
using AgentMail.Review.E2E.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Playwright;
using MimeKit;
using static Microsoft.Playwright.Assertions;

namespace AgentMail.Review.E2E.Console;

/// <summary>
/// Conversations and feedback in the real console: a first mail approved and sent, a follow-up scheduled, the
/// recipient's reply delivered to the server's SMTP listener by a real SMTP client; then what the supervisor sees.
/// </summary>
[Collection(TestStreams.Browser)]
public sealed class ConsoleConversationTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    private const string Supervisor = "supervisor@example.com";

    private async Task DeliverReplyAsync(string inbox, string messageId, string text)
    {
        var reply = new MimeMessage { Subject = "Re: Pricing" };
        reply.From.Add(new MailboxAddress("Bob", "bob@example.com"));
        reply.To.Add(MailboxAddress.Parse(inbox));
        reply.InReplyTo = messageId.Trim('<', '>');
        reply.References.Add(messageId.Trim('<', '>'));
        reply.Body = new TextPart("plain") { Text = text };
        using var smtp = new SmtpClient { Timeout = 10_000 };
        await smtp.ConnectAsync("127.0.0.1", browser.Server.SmtpPort, SecureSocketOptions.None);
        await smtp.SendAsync(reply);
        await smtp.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task A_reply_holds_the_follow_up_which_shows_why_and_its_conversation_and_messages_lists_both_directions()
    {
        var page = await browser.SignInAsync(Supervisor, timeZone: "America/New_York", locale: "en-US", width: 1440, height: 900);
        var inbox = await browser.CreateInboxAsync();
        var subject = $"Pricing {Guid.NewGuid():N}"[..16];
        var first = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject, text = "Here are our prices." });
        // This server's inboxes let the development key send alone: the first mail leaves at once.
        var sent = await ConsoleBrowser.ReadAsync(await browser.Api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{first["draft_id"]}/send", new { }));
        var messageId = sent["message_id"]!.GetValue<string>();
        await ConsoleBrowser.ShowInboxAsync(page, inbox);

        var followUpSubject = $"Re: {subject}";
        await browser.CreateDraftAsync(inbox, new
        {
            to = new[] { "bob@example.com" }, subject = followUpSubject, text = "Just bumping this.", in_reply_to = messageId,
            send_at = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        });
        await Expect(ConsoleBrowser.Row(page, followUpSubject).Locator("[data-state=scheduled]")).ToBeVisibleAsync();

        await DeliverReplyAsync(inbox, messageId, "Sounds good, call me.");

        // The row says it was held, and why, live.
        var row = ConsoleBrowser.Row(page, followUpSubject);
        await Expect(row.GetByTestId("held")).ToHaveTextAsync("held · a reply arrived");
        await Expect(row.Locator("[data-state=pending]")).ToBeVisibleAsync();
        var pane = await ConsoleBrowser.OpenAsync(page, followUpSubject);
        await Expect(pane.GetByTestId("held-reason")).ToContainTextAsync("a reply from Bob <bob@example.com> arrived");
        await Expect(pane.GetByTestId("held-reason")).ToContainTextAsync("EST");
        await Expect(pane.GetByTestId("held-reason")).Not.ToContainTextAsync("UTC");
        var messages = pane.GetByTestId("conversation-message");
        await Expect(messages).ToHaveCountAsync(2);
        await Expect(messages.Nth(0).GetByTestId("direction")).ToHaveTextAsync("sent");
        await Expect(messages.Nth(1).GetByTestId("direction")).ToHaveTextAsync("received");
        await Expect(messages.Nth(1).GetByTestId("conversation-from")).ToHaveTextAsync("Bob <bob@example.com>");
        await Expect(messages.Nth(1).GetByTestId("conversation-time")).ToContainTextAsync("EST");
        await Expect(messages.Nth(1).GetByTestId("conversation-text")).ToContainTextAsync("Sounds good, call me.");
        await Expect(messages.Nth(1).GetByTestId("conversation-text")).ToBeVisibleAsync();

        // The Messages view: sent and received, filterable, each opening with its thread.
        await page.GetByRole(AriaRole.Link, new() { Name = "Messages" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Messages" })).ToBeVisibleAsync();
        await page.GetByTestId("show-received").ClickAsync();
        var received = page.GetByTestId("sent-row").Filter(new() { HasText = "bob@example.com" }).Filter(new() { HasText = "Re: Pricing" });
        await Expect(page.GetByTestId("sent-row").Locator("[data-direction=sent]")).ToHaveCountAsync(0);
        await received.First.ClickAsync();
        var messagePane = page.GetByTestId("message-pane");
        await Expect(messagePane.GetByTestId("received-at")).ToContainTextAsync("EST");
        await Expect(messagePane.GetByTestId("conversation-message")).ToHaveCountAsync(2);
        await messagePane.GetByTestId("conversation-message").Nth(0).GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
        await Expect(messagePane.GetByTestId("pane-subject")).ToHaveTextAsync(subject);
        await Expect(messagePane.GetByTestId("sent-at")).ToContainTextAsync("EST");
        await Expect(messagePane.GetByTestId("conversation-message").Nth(0).GetByTestId("this-message")).ToBeVisibleAsync();
        Assert.Contains("message=", page.Url);
    }

    [Fact]
    public async Task Request_changes_sends_the_draft_back_with_the_reason_the_agent_reads_on_the_draft()
    {
        var page = await browser.SignInAsync(Supervisor);
        var inbox = await browser.CreateInboxAsync();
        var subject = $"Offer {Guid.NewGuid():N}"[..14];
        var draft = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject, text = "20% off" });
        await ConsoleBrowser.ShowInboxAsync(page, inbox);

        await (await ConsoleBrowser.OpenAsync(page, subject)).GetByRole(AriaRole.Button, new() { Name = "Request changes" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("What should the agent change?").FillAsync("Offer 10%, not 20%.");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Send back" }).ClickAsync();

        await Expect(ConsoleBrowser.Pane(page).GetByTestId("changes-requested")).ToContainTextAsync("Offer 10%, not 20%.");
        await Expect(ConsoleBrowser.Row(page, subject).GetByTestId("changes-requested")).ToBeVisibleAsync();
        var stored = await ConsoleBrowser.ReadAsync(await browser.GetDraftAsync(inbox, draft["draft_id"]!.GetValue<string>()));
        Assert.Equal("Offer 10%, not 20%.", stored["changes_requested"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_chosen_theme_and_density_survive_a_reload()
    {
        var page = await browser.SignInAsync(Supervisor);
        await page.GetByRole(AriaRole.Button, new() { Name = "Dark theme" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Compact rows" }).ClickAsync();
        await Expect(page.Locator(".review-main[data-theme=dark]")).ToBeVisibleAsync();

        await page.ReloadAsync();

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Light theme" })).ToBeVisibleAsync();
        await Expect(page.Locator(".review-main.review-density-compact[data-theme=dark]")).ToBeVisibleAsync();
    }
}
