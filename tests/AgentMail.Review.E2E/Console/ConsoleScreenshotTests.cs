using System.Net.Http.Json;
using AgentMail.Review.E2E.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Playwright;
using MimeKit;
using static Microsoft.Playwright.Assertions;

namespace AgentMail.Review.E2E.Console;

/// <summary>
/// The console at its three sizes with a morning's worth of agents' drafts. The pictures go to
/// <c>REVIEW_SCREENSHOTS_DIR</c> when set (the README's are made with <c>REVIEW_SCREENSHOTS_DIR=docs</c>), else to a
/// temporary folder; either way the test checks the queue and the pane show what they should at each size.
/// </summary>
[Collection(TestStreams.Browser)]
public sealed class ConsoleScreenshotTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    private static readonly (string Inbox, string[] To, string[] Cc, string Subject, string Text, string? Html, string[] Labels, double? InHours)[] Demo =
    [
        ("sales", ["dana.whitfield@northwind.example"], ["accounts@northwind.example"], "Renewal quote for 2027 — 12% volume discount", "Hi Dana,\n\nAs promised, here is the renewal quote for next year. With the 40 additional seats your team asked about, the volume discount comes to 12%.\n\nThe quote is valid until 15 January. Shall I set up a call with your procurement team?\n\nBest,\nAlex (on behalf of the Acme sales team)", "<p>Hi Dana,</p><p>As promised, here is the <b>renewal quote</b> for next year. With the 40 additional seats your team asked about, the volume discount comes to <b>12%</b>.</p><table border=\"1\" cellpadding=\"6\" style=\"border-collapse:collapse\"><tr><th>Item</th><th>Seats</th><th>Price</th></tr><tr><td>Acme Cloud Business</td><td>140</td><td>€ 48,720</td></tr><tr><td>Volume discount</td><td></td><td>− € 5,846</td></tr></table><p>The quote is valid until 15 January. Shall I set up a call with your procurement team?</p><p>Best,<br>Alex</p><img src=\"https://cdn.acme.example/signature.png\" alt=\"Acme logo\">", ["renewal", "q4"], 3.5),
        ("support", ["m.okafor@contoso.example"], [], "Re: Export to CSV drops the last row", "Hi Michael,\n\nThanks for the detailed report. We reproduced the problem: exports with more than 10,000 rows lost the final line. A fix ships in tonight's release (4.18.2).\n\nUntil then, exporting in two date ranges avoids it.\n\nKind regards,\nAcme Support", null, ["bug", "follow-up"], null),
        ("sales", ["procurement@fabrikam.example", "lena.hoffmann@fabrikam.example"], ["legal@acme.example"], "Signed order form and next steps", "Hello Lena,\n\nThank you for returning the signed order form. Your workspace will be ready on Monday; onboarding invitations go out the same morning.", null, ["onboarding"], 20),
        ("billing", ["finance@tailspin.example"], [], "Invoice INV-20931 is 14 days overdue", "Dear Tailspin finance team,\n\nOur records show invoice INV-20931 (€ 3,200.00, due 17 November) as unpaid. If you have already paid, please ignore this message.", null, ["dunning"], 26),
        ("support", ["ines.garcia@adventure-works.example"], ["it-helpdesk@adventure-works.example"], "Your SSO setup: two settings to check", "Hi Inés,\n\nThe login loop comes from the redirect URI: it must end in /signin-oidc. Also make sure the group claim is sent.", null, ["sso"], null),
        ("sales", ["chris.taylor@litware.example"], [], "Following up on our demo last Thursday", "Hi Chris,\n\nJust checking in after last week's demo. Did the team have a chance to try the trial workspace?", null, ["follow-up"], 48),
        ("billing", ["ap@wingtip.example"], ["controller@wingtip.example"], "Updated bank details for future payments", "Hello,\n\nPlease note our new bank details, effective 1 January, attached as a signed letter.", null, ["finance"], 1.5),
        ("support", ["yuki.tanaka@proseware.example"], [], "Re: API rate limits for the nightly sync", "Hi Yuki,\n\nThe nightly sync hits the 50 requests/second limit around 02:10. We have raised your key's burst to 200 for the sync window.", null, [], 6),
        ("sales", ["omar.haddad@woodgrove.example"], ["partners@acme.example"], "Partner programme: your application", "Dear Omar,\n\nThank you for applying to the Acme partner programme. We would like to schedule a short call to go through the tiers.", null, ["partners"], null),
        ("billing", ["billing@margie.example"], [], "Your December statement", "Hello,\n\nYour December statement is ready. Total due: € 1,240.00 by 31 December.", null, [], 72),
        ("support", ["sam.lee@lucerne.example"], [], "Re: Two-factor codes arrive late", "Hi Sam,\n\nSMS delivery to your carrier has been slow today; authenticator apps are not affected.", null, ["incident"], null),
        ("sales", ["purchasing@alpine.example"], [], "Proposal: 3-year agreement", "Hello,\n\nAttached is our proposal for a three-year agreement with a price lock.", null, ["proposal"], 30),
    ];

    private async Task SeedAsync()
    {
        var inboxes = new Dictionary<string, string>();
        foreach (var name in Demo.Select(d => d.Inbox).Distinct())
        {
            inboxes[name] = (await ConsoleBrowser.ReadAsync(await browser.Api.PostAsJsonAsync("/v0/inboxes", new { username = name, domain = "agents.acme.example" })))["inbox_id"]!.GetValue<string>();
        }

        var inReplyTo = await ConversationAsync(inboxes[Demo[0].Inbox]);
        foreach (var d in Demo.Reverse())
        {
            await browser.CreateDraftAsync(inboxes[d.Inbox], new
            {
                in_reply_to = d.Subject == Demo[0].Subject ? inReplyTo : null,
                to = d.To,
                cc = d.Cc,
                subject = d.Subject,
                text = d.Text,
                html = d.Html,
                labels = d.Labels,
                send_at = d.InHours is { } hours ? DateTime.UtcNow.AddHours(hours).ToString("O") : null,
            });
        }
    }

    /// <summary>The first draft answers a customer: the agent's first mail, and Dana's reply received over SMTP. Answers the reply's Message-ID.</summary>
    private async Task<string> ConversationAsync(string inbox)
    {
        var first = await browser.CreateDraftAsync(inbox, new
        {
            to = new[] { "dana.whitfield@northwind.example" },
            subject = "Renewal for 2027",
            text = "Hi Dana,\n\nYour subscription renews on 1 January. Shall I prepare a quote for next year?\n\nBest,\nAlex",
        });
        var sent = await ConsoleBrowser.ReadAsync(await browser.Api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{first["draft_id"]}/send", new { }));
        var reply = new MimeMessage { Subject = "Re: Renewal for 2027" };
        reply.From.Add(new MailboxAddress("Dana Whitfield", "dana.whitfield@northwind.example"));
        reply.To.Add(MailboxAddress.Parse(inbox));
        reply.InReplyTo = sent["message_id"]!.GetValue<string>().Trim('<', '>');
        reply.Body = new TextPart("plain") { Text = "Hi Alex,\n\nYes please, and include the 40 additional seats we talked about.\n\nDana" };
        using (var smtp = new SmtpClient { Timeout = 10_000 })
        {
            await smtp.ConnectAsync("127.0.0.1", browser.Server.SmtpPort, SecureSocketOptions.None);
            await smtp.SendAsync(reply);
            await smtp.DisconnectAsync(quit: true);
        }

        var received = await ConsoleBrowser.ReadAsync(await browser.Api.GetAsync($"/v0/inboxes/{inbox}/messages?labels=%5B%22received%22%5D"));
        return received["messages"]!.AsArray().Single()!["message_id"]!.GetValue<string>();
    }

    [Fact]
    public async Task The_console_at_1280_1440_and_390_pixels()
    {
        await SeedAsync();
        var folder = Environment.GetEnvironmentVariable("REVIEW_SCREENSHOTS_DIR") is { Length: > 0 } dir
            ? Path.GetFullPath(dir, ServerProcess.RepositoryRoot)
            : Directory.CreateTempSubdirectory("amr-screens-").FullName;
        Directory.CreateDirectory(folder);

        foreach (var (width, height, zone, locale) in new[] { (1280, 800, "Europe/Berlin", "en-GB"), (1440, 900, "America/New_York", "en-US"), (390, 844, "Europe/Berlin", "en-GB") })
        {
            var page = await browser.SignInAsync("supervisor@example.com", zone, locale, width, height);
            await Expect(page.GetByTestId("queue-row")).ToHaveCountAsync(Demo.Length);
            await page.Locator("h1").ClickAsync();
            await page.Keyboard.PressAsync("j");
            await Expect(ConsoleBrowser.Pane(page).GetByTestId("pane-subject")).ToHaveTextAsync(Demo[0].Subject);
            await Expect(ConsoleBrowser.Row(page, Demo[0].Subject).GetByTestId("replied")).ToBeVisibleAsync();
            await Expect(ConsoleBrowser.Pane(page).GetByTestId("conversation-message")).ToHaveCountAsync(2);
            if (width >= 900)
            {
                await Expect(page.FrameLocator("iframe[title='Draft HTML']").GetByText("renewal quote")).ToBeVisibleAsync();
            }

            await page.Mouse.MoveAsync(0, height - 1);
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"console-{width}.png") });
            if (width < 900)
            {
                await page.Keyboard.PressAsync("Enter");
                await Expect(ConsoleBrowser.Pane(page).GetByRole(AriaRole.Button, new() { Name = "Approve and send" })).ToBeInViewportAsync();
                await Expect(page.FrameLocator("iframe[title='Draft HTML']").GetByText("renewal quote")).ToBeVisibleAsync();
                await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"console-{width}-draft.png") });
            }

            await page.Context.CloseAsync();
        }
    }
}
