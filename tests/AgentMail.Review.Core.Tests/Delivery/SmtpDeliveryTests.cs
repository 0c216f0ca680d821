using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace AgentMail.Review.Core.Tests.Delivery;

/// <summary>Drafts sent through a real SMTP server (the Node sink) with <c>Delivery:Transport=Smtp</c>.</summary>
public sealed class SmtpDeliveryTests
{
    [Fact]
    public async Task Reply_with_every_field_arrives_complete_with_bcc_only_in_the_envelope()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var store = await TestStore.CreateAsync(SmtpSettings.For(sink.Port));
        var inbox = await store.CreateInboxAsync("agent", "example.com");
        var drafts = store.Get<DraftsService>();
        var sender = store.Get<DraftSender>();

        var original = await drafts.CreateAsync(TestActors.Agent, inbox.InboxId, new NewDraft
        {
            To = ["carol@example.net"],
            Subject = "Quarterly numbers",
            Text = "The numbers follow.",
        });
        var originalSent = await sender.SendAsync(TestActors.Agent, original.DraftId, original.Version, "test");
        Assert.Equal(SendResult.Sent, originalSent.Result);

        var report = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var reply = await drafts.CreateAsync(TestActors.Agent, inbox.InboxId, new NewDraft
        {
            InReplyTo = originalSent.Message!.MessageId,
            To = ["carol@example.net"],
            Cc = ["dave@example.net"],
            Bcc = ["audit@example.org"],
            ReplyTo = ["team@example.com"],
            Subject = "Re: Quarterly numbers",
            Text = "Here is the report.",
            Html = "<p>Here is the <b>report</b>.</p>",
            Attachments = [new NewAttachment("report.bin", "application/octet-stream", null, null, report)],
        });

        var outcome = await sender.SendAsync(TestActors.Agent, reply.DraftId, reply.Version, "test");

        Assert.Equal(SendResult.Sent, outcome.Result);
        var received = sink.Received();
        Assert.Equal(2, received.Count);
        var mail = received[1];

        Assert.Equal("agent@example.com", mail.MailFrom);
        Assert.Equal(["audit@example.org", "carol@example.net", "dave@example.net"], mail.RcptTo.Order());
        Assert.False(mail.Message.Headers.Contains(HeaderId.Bcc));
        Assert.DoesNotContain("audit@example.org", System.Text.Encoding.ASCII.GetString(mail.Raw), StringComparison.OrdinalIgnoreCase);

        Assert.Equal($"{reply.DraftId}@example.com", mail.Message.MessageId);
        Assert.Equal($"{original.DraftId}@example.com", mail.Message.InReplyTo);
        Assert.Equal([$"{original.DraftId}@example.com"], mail.Message.References);
        Assert.Equal("Re: Quarterly numbers", mail.Message.Subject);
        Assert.Equal(["carol@example.net"], mail.Message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal(["dave@example.net"], mail.Message.Cc.Mailboxes.Select(m => m.Address));
        Assert.Equal(["team@example.com"], mail.Message.ReplyTo.Mailboxes.Select(m => m.Address));
        Assert.Equal(["agent@example.com"], mail.Message.From.Mailboxes.Select(m => m.Address));

        var mixed = Assert.IsType<Multipart>(mail.Message.Body);
        Assert.Equal("mixed", mixed.ContentType.MediaSubtype);
        var alternative = Assert.IsType<MultipartAlternative>(mixed[0]);
        var text = Assert.IsType<TextPart>(alternative[0]);
        var html = Assert.IsType<TextPart>(alternative[1]);
        Assert.True(text.IsPlain);
        Assert.Equal("Here is the report.", text.Text.TrimEnd());
        Assert.True(html.IsHtml);
        Assert.Equal("<p>Here is the <b>report</b>.</p>", html.Text.TrimEnd());

        var attachment = Assert.IsType<MimePart>(Assert.Single(mail.Message.Attachments));
        Assert.Equal("report.bin", attachment.FileName);
        using var decoded = new MemoryStream();
        Assert.NotNull(attachment.Content);
        await attachment.Content.DecodeToAsync(decoded);
        Assert.Equal(report, decoded.ToArray());

        await using var db = store.OpenDb();
        Assert.False(await db.Drafts.AnyAsync(d => d.DraftId == reply.DraftId));
        var message = await db.Messages.SingleAsync(m => m.DraftId == reply.DraftId);
        Assert.Equal($"<{reply.DraftId}@example.com>", message.MessageId);
        Assert.Equal(originalSent.Message!.ThreadId, message.ThreadId);
        Assert.Equal(["audit@example.org"], message.Bcc);
    }

    [Fact]
    public async Task Server_busy_twice_then_accepting_gets_the_message_exactly_once()
    {
        await using var sink = await SmtpSink.StartAsync("--fail-first", "2", "--fail-code", "451");
        await using var store = await TestStore.CreateAsync(SmtpSettings.For(sink.Port, maxAttempts: 4));
        var inbox = await store.CreateInboxAsync();
        var draft = await store.Get<DraftsService>().CreateAsync(TestActors.Agent, inbox.InboxId, new NewDraft
        {
            To = ["bob@example.net"],
            Subject = "Try again",
            Text = "Third time lucky.",
        });

        var outcome = await store.SendWithRetriesAsync(TestActors.Agent, draft.DraftId, draft.Version);

        Assert.Equal(SendResult.Sent, outcome.Result);
        Assert.Equal(["DATA 451", "DATA 451"], sink.Refusals());
        var mail = Assert.Single(sink.Received());
        Assert.Equal($"{draft.DraftId}@example.com", mail.Message.MessageId);
        await using var db = store.OpenDb();
        Assert.False(await db.Drafts.AnyAsync(d => d.DraftId == draft.DraftId));
        Assert.Equal($"<{draft.DraftId}@example.com>", (await db.Messages.SingleAsync()).MessageId);
    }

    [Fact]
    public async Task Server_busy_on_every_attempt_leaves_the_draft_failed_with_the_servers_answer()
    {
        await using var sink = await SmtpSink.StartAsync("--fail-first", "5", "--fail-code", "451");
        await using var store = await TestStore.CreateAsync(SmtpSettings.For(sink.Port, maxAttempts: 3));
        var inbox = await store.CreateInboxAsync();
        var draft = await store.Get<DraftsService>().CreateAsync(TestActors.Agent, inbox.InboxId, new NewDraft
        {
            To = ["bob@example.net"],
            Text = "Busy server.",
        });

        var outcome = await store.SendWithRetriesAsync(TestActors.Agent, draft.DraftId, draft.Version);

        Assert.Equal(SendResult.Failed, outcome.Result);
        Assert.Equal($"SMTP server 127.0.0.1:{sink.Port} answered 451 4.3.0 try later (gave up after 3 attempts)", outcome.FailureReason);
        Assert.Equal(3, sink.Refusals().Count);
        Assert.Empty(sink.Received());
        await using var db = store.OpenDb();
        Assert.Equal(DraftState.Failed, (await db.Drafts.SingleAsync(d => d.DraftId == draft.DraftId)).State);
        Assert.False(await db.Messages.AnyAsync());
    }

    [Fact]
    public async Task Rejected_recipient_fails_at_once_naming_the_recipient_and_nobody_gets_a_copy()
    {
        await using var sink = await SmtpSink.StartAsync("--reject-rcpt", "dave@example.net", "--reject-code", "550");
        await using var store = await TestStore.CreateAsync(SmtpSettings.For(sink.Port, maxAttempts: 4));
        var inbox = await store.CreateInboxAsync();
        var draft = await store.Get<DraftsService>().CreateAsync(TestActors.Agent, inbox.InboxId, new NewDraft
        {
            To = ["carol@example.net"],
            Cc = ["dave@example.net"],
            Subject = "Hello both",
            Text = "Hi.",
        });

        var outcome = await store.SendWithRetriesAsync(TestActors.Agent, draft.DraftId, draft.Version);

        Assert.Equal(SendResult.Failed, outcome.Result);
        Assert.Equal("recipient dave@example.net rejected: 550 5.1.1 no such user", outcome.FailureReason);
        Assert.Equal(["RCPT 550 dave@example.net"], sink.Refusals());
        Assert.Empty(sink.Received());
        await using var db = store.OpenDb();
        var failed = await db.Drafts.SingleAsync(d => d.DraftId == draft.DraftId);
        Assert.Equal(DraftState.Failed, failed.State);
        Assert.Equal(outcome.FailureReason, failed.FailureReason);
        Assert.False(await db.Messages.AnyAsync());
    }
}
