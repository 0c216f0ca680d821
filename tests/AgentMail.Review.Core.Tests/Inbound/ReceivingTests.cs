using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Inbound;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using ReceivedMail = AgentMail.Review.Core.Inbound.ReceivedMail;

namespace AgentMail.Review.Core.Tests.Inbound;

/// <summary>Received mail is stored whole, once, in the right thread of the right inbox, or not at all.</summary>
public sealed class ReceivingTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private string _inbox = null!;
    private string _other = null!;

    private InboundMailService Inbound => _store.Get<InboundMailService>();

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        _inbox = (await _store.CreateInboxAsync("sales")).InboxId;
        _other = (await _store.CreateInboxAsync("support")).InboxId;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private async Task<Message> SendFirstAsync(string inbox, string subject = "Our offer")
    {
        var draft = await _store.Get<DraftsService>().CreateAsync(TestActors.Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = subject, Text = "Here it is." });
        var outcome = await _store.Get<DraftSender>().SendAsync(TestActors.Agent, draft.DraftId, draft.Version, "test");
        Assert.Equal(SendResult.Sent, outcome.Result);
        return outcome.Message!;
    }

    [Fact]
    public async Task A_reply_joins_the_thread_of_the_message_it_answers_by_In_Reply_To_with_the_labels_received_and_unread_and_its_MIME()
    {
        var first = await SendFirstAsync(_inbox);
        _store.Clock.Advance(TimeSpan.FromMinutes(3));
        var mail = InboundMail.Reply(_inbox, first, change: m => m.References.Clear());

        var reply = await Inbound.ReceiveAsync(_inbox, mail);

        await using var db = _store.OpenDb();
        var stored = await db.Messages.AsNoTracking().SingleAsync(m => m.MessageId == reply.MessageId);
        Assert.Equal(first.ThreadId, stored.ThreadId);
        Assert.Equal(_inbox, stored.InboxId);
        Assert.Equal([Message.ReceivedLabel, Message.UnreadLabel], stored.Labels);
        Assert.Null(stored.DraftId);
        Assert.Null(stored.SentBy);
        Assert.Equal($"<{mail.Message.MessageId}>", stored.MessageId);
        Assert.Equal(first.MessageId, stored.InReplyTo);
        Assert.Equal(mail.Raw, (await db.MessageMimes.AsNoTracking().SingleAsync(m => m.MessageId == reply.MessageId)).Mime);
        Assert.Equal(mail.Raw.LongLength, stored.Size);

        var thread = await db.Threads.AsNoTracking().SingleAsync(t => t.ThreadId == first.ThreadId);
        Assert.Equal(_inbox, thread.InboxId);
        Assert.Equal(2, thread.MessageCount);
        Assert.Equal(reply.MessageId, thread.LastMessageId);
        Assert.Equal(first.CreatedAt, thread.CreatedAt);
        Assert.Equal(_store.Clock.GetUtcNow().UtcDateTime, thread.ReceivedTimestamp);
        Assert.Contains(Message.SentLabel, thread.Labels);
        Assert.Contains(Message.ReceivedLabel, thread.Labels);
        Assert.Contains(Message.UnreadLabel, thread.Labels);
        Assert.Contains("bob@example.com", thread.Senders);
    }

    [Fact]
    public async Task A_reply_joins_by_References_when_its_In_Reply_To_is_not_a_message_of_the_inbox()
    {
        var first = await SendFirstAsync(_inbox);
        var mail = InboundMail.Reply(_inbox, first, change: m =>
        {
            // Answering someone else's copy in the conversation: only an older reference is ours.
            m.InReplyTo = "someone-elses-message@example.net";
            m.References.Add("someone-elses-message@example.net");
        });

        var reply = await Inbound.ReceiveAsync(_inbox, mail);

        Assert.Equal(first.ThreadId, reply.ThreadId);
        Assert.Equal("<someone-elses-message@example.net>", reply.InReplyTo);
        Assert.Equal([first.MessageId, "<someone-elses-message@example.net>"], reply.References);
    }

    [Fact]
    public async Task A_reply_to_another_inboxs_message_never_joins_that_inboxs_thread()
    {
        var theirs = await SendFirstAsync(_other);

        var reply = await Inbound.ReceiveAsync(_inbox, InboundMail.Reply(_inbox, theirs));

        Assert.NotEqual(theirs.ThreadId, reply.ThreadId);
        await using var db = _store.OpenDb();
        var thread = await db.Threads.AsNoTracking().SingleAsync(t => t.ThreadId == reply.ThreadId);
        Assert.Equal(_inbox, thread.InboxId);
        Assert.Equal(1, thread.MessageCount);
        Assert.Equal(1, await db.Messages.CountAsync(m => m.ThreadId == theirs.ThreadId));
        Assert.False(await db.Threads.AnyAsync(t => t.ThreadId == theirs.ThreadId && t.MessageCount > 1));
    }

    [Fact]
    public async Task Mail_that_answers_nothing_starts_a_new_thread_with_its_own_row()
    {
        var mail = InboundMail.Reply(_inbox);

        var received = await Inbound.ReceiveAsync(_inbox, mail);

        await using var db = _store.OpenDb();
        var thread = await db.Threads.AsNoTracking().SingleAsync(t => t.ThreadId == received.ThreadId);
        Assert.Equal(_inbox, thread.InboxId);
        Assert.Equal(_store.Clock.GetUtcNow().UtcDateTime, thread.CreatedAt);
        Assert.Equal(1, thread.MessageCount);
        Assert.Equal("Hello", thread.Subject);
        Assert.Equal([Message.ReceivedLabel, Message.UnreadLabel], thread.Labels);
    }

    [Fact]
    public async Task The_message_is_stored_with_its_addresses_bodies_preview_and_attachments()
    {
        var mail = new MimeMessage { Subject = "Invoice", MessageId = "invoice-1@example.com" };
        mail.From.Add(new MailboxAddress("Bob Jones", "bob@example.com"));
        mail.To.Add(MailboxAddress.Parse(_inbox));
        mail.Cc.Add(MailboxAddress.Parse("carol@example.com"));
        mail.ReplyTo.Add(MailboxAddress.Parse("billing@example.com"));
        var body = new BodyBuilder { TextBody = "Please find it attached.", HtmlBody = "<p>Please find it <b>attached</b>.</p><script>alert(1)</script>" };
        body.Attachments.Add("invoice.pdf", "%PDF-1.4 not really"u8.ToArray(), new ContentType("application", "pdf"));
        mail.Body = body.ToMessageBody();

        var received = await Inbound.ReceiveAsync(_inbox, InboundMail.Read(mail));

        await using var db = _store.OpenDb();
        var stored = await db.Messages.AsNoTracking().SingleAsync(m => m.MessageId == received.MessageId);
        Assert.Equal("<invoice-1@example.com>", stored.MessageId);
        Assert.Equal("Bob Jones <bob@example.com>", stored.From);
        Assert.Equal([_inbox], stored.To);
        Assert.Equal(["carol@example.com"], stored.Cc);
        Assert.Equal(["billing@example.com"], stored.ReplyTo);
        Assert.Equal("Invoice", stored.Subject);
        Assert.Equal("Please find it attached.", stored.Text?.TrimEnd());
        // Kept as sent: the console and every other reader sanitise it when showing it.
        Assert.Contains("<script>alert(1)</script>", stored.Html);
        Assert.Equal("Please find it attached.", stored.Preview);
        var attachment = Assert.Single(stored.Attachments);
        Assert.Equal("invoice.pdf", attachment.Filename);
        Assert.Equal("application/pdf", attachment.ContentType);
        Assert.Equal("attachment", attachment.ContentDisposition);
        Assert.Equal("%PDF-1.4 not really"u8.ToArray(), (await db.AttachmentContents.AsNoTracking().SingleAsync(c => c.AttachmentId == attachment.AttachmentId)).Data);
        Assert.Equal(attachment.Size, "%PDF-1.4 not really"u8.Length);
    }

    [Fact]
    public async Task Header_text_that_would_break_a_reply_loses_its_control_characters()
    {
        var raw = System.Text.Encoding.ASCII.GetBytes(string.Join("\r\n",
            "From: =?utf-8?q?Bob=0D=0ABcc=3A_victim=40example=2Ecom?= <bob@example.com>",
            $"To: {_inbox}",
            "Subject: =?utf-8?q?Hello=0D=0AX-Injected=3A_yes?=",
            "Message-ID: <hostile-1@example.com>",
            "",
            "body",
            ""));

        var received = await Inbound.ReceiveAsync(_inbox, ReceivedMail.Parse(raw), raw);

        Assert.DoesNotContain('\r', received.Subject!);
        Assert.DoesNotContain('\n', received.Subject!);
        Assert.DoesNotContain('\r', received.From);
        Assert.DoesNotContain('\n', received.From);
        Assert.EndsWith("<bob@example.com>", received.From);
        Assert.Null(DraftValidator.AddressProblem(received.From));
        Assert.Null(DraftValidator.ForbiddenCharacterProblem(received.Subject));
    }

    [Fact]
    public async Task A_Message_ID_already_taken_or_reserved_for_a_draft_is_replaced_by_a_new_one()
    {
        var mail = InboundMail.Reply(_inbox);
        var first = await Inbound.ReceiveAsync(_inbox, mail);
        var again = await Inbound.ReceiveAsync(_inbox, mail);

        var held = await _store.Get<DraftsService>().CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["bob@example.com"], Subject = "not sent yet" });
        var reserved = MimeMessageFactory.MessageIdFor(held.DraftId, _inbox);
        var squatter = await Inbound.ReceiveAsync(_inbox, InboundMail.Reply(_inbox, change: m => m.MessageId = reserved.Trim('<', '>')));

        Assert.Equal($"<{mail.Message.MessageId}>", first.MessageId);
        Assert.NotEqual(first.MessageId, again.MessageId);
        Assert.EndsWith("@example.com>", again.MessageId);
        Assert.NotEqual(reserved, squatter.MessageId);
        await using var db = _store.OpenDb();
        Assert.Equal(3, await db.MessageMimes.CountAsync());
    }

    [Fact]
    public async Task Mail_without_a_From_address_or_that_is_not_mail_is_refused_and_nothing_is_stored()
    {
        var noFrom = System.Text.Encoding.ASCII.GetBytes($"To: {_inbox}\r\nSubject: who am I\r\n\r\nbody\r\n");

        await Assert.ThrowsAsync<MalformedMailException>(() => Inbound.ReceiveAsync(_inbox, ReceivedMail.Parse(noFrom), noFrom));
        Assert.Throws<MalformedMailException>(() => ReceivedMail.Parse(System.Text.Encoding.ASCII.GetBytes("this is not mail at all\r\n")));
        Assert.Throws<MalformedMailException>(() => ReceivedMail.Parse([]));

        await using var db = _store.OpenDb();
        Assert.Equal(0, await db.Messages.CountAsync());
        Assert.Equal(0, await db.MessageMimes.CountAsync());
        Assert.Equal(0, await db.Threads.CountAsync());
    }

    [Fact]
    public async Task Mail_for_several_inboxes_is_kept_for_each_in_one_transaction_or_for_none()
    {
        var mail = InboundMail.Reply(_inbox, change: m => m.To.Add(MailboxAddress.Parse(_other)));

        var both = await Inbound.ReceiveAsync([_inbox, _other], mail.Message, mail.Raw);
        await Assert.ThrowsAsync<NotFoundException>(() => Inbound.ReceiveAsync([_inbox, "gone@example.com"], mail.Message, mail.Raw));

        Assert.Equal([_inbox, _other], both.Select(m => m.InboxId));
        Assert.NotEqual(both[0].MessageId, both[1].MessageId);
        Assert.NotEqual(both[0].ThreadId, both[1].ThreadId);
        await using var db = _store.OpenDb();
        Assert.Equal(2, await db.Messages.CountAsync());
        Assert.Equal(2, await db.Threads.CountAsync());
    }

    [Fact]
    public async Task Only_existing_inboxes_accept_mail()
    {
        Assert.True(await Inbound.AcceptsAsync(_inbox));
        Assert.True(await Inbound.AcceptsAsync(_inbox.ToUpperInvariant()));
        Assert.False(await Inbound.AcceptsAsync("nobody@example.com"));
        Assert.False(await Inbound.AcceptsAsync("bob@gmail.com"));
    }
}
