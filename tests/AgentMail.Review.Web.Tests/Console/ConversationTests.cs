using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Components.Pages;
using AgentMail.Review.Web.Console;
using AgentMail.Review.Web.Tests.Support;
using Bunit;
using Bunit.Rendering;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AgentMail.Review.Web.Tests.Console;

/// <summary>
/// Conversations in the console, built the way the product builds them: an agent's mail approved and delivered, a
/// follow-up scheduled in its thread, the recipient's reply received over the inbound service. Berlin is the browser's zone.
/// </summary>
public sealed class ConversationTests : ConsoleTestContext
{
    private static AngleSharp.Dom.IElement Row(IRenderedComponent<ContainerFragment> cut, string subject) =>
        cut.FindAll("[data-testid=queue-row], [data-testid=sent-row]").Single(r => r.QuerySelector("[data-testid=subject]")!.TextContent == subject);

    /// <summary>Sent at 09:00 UTC (10:00 in Berlin); a follow-up for tomorrow; Bob answers at 09:30 UTC (10:30 in Berlin).</summary>
    private async Task<(string Inbox, AgentMail.Review.Core.Messages.Message Sent, Draft FollowUp, AgentMail.Review.Core.Messages.Message Reply)> RepliedConversationAsync()
    {
        var inbox = await CreateInboxAsync();
        var sent = await this.SendAsync(inbox, new NewDraft { To = ["bob@example.com"], Subject = "Pricing", Text = "Here are our prices." });
        var followUp = await Drafts.CreateAsync(Agent, inbox, new NewDraft
        {
            To = ["bob@example.com"], Subject = "Re: Pricing", Text = "Just bumping this.", InReplyTo = sent.MessageId, SendAt = Start.UtcDateTime.AddDays(1),
        });
        Clock.Advance(TimeSpan.FromMinutes(30));
        var reply = await this.ReceiveReplyAsync(sent, "bob@example.com", "Sounds good, call me.",
            "<p>Sounds <b>good</b>, call me.</p><script>alert(1)</script><img src=\"https://tracker.example.com/p.gif\">");
        return (inbox, sent, followUp, reply);
    }

    [Fact]
    public async Task The_pane_shows_the_drafts_conversation_oldest_first_with_the_reply_marked_received_in_local_time()
    {
        SignInAsSupervisor();
        var (_, sent, _, reply) = await RepliedConversationAsync();
        var cut = RenderPage<Queue>();
        cut.WaitForAssertion(() => Row(cut, "Re: Pricing").Click());

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=conversation-message]").Count));
        var messages = cut.FindAll("[data-testid=conversation-message]");
        Assert.Equal([sent.MessageId, reply.MessageId], messages.Select(m => m.GetAttribute("data-message-id")));
        Assert.Equal(["sent", "received"], messages.Select(m => m.QuerySelector("[data-testid=direction]")!.TextContent));
        Assert.Equal("bob@example.com", messages[1].QuerySelector("[data-testid=conversation-from]")!.TextContent);
        Assert.Contains("Tue 24 Nov 2026, 10:30 CET", messages[1].QuerySelector("[data-testid=conversation-time]")!.TextContent);
        Assert.Contains("Tue 24 Nov 2026, 10:00 CET", messages[0].QuerySelector("[data-testid=conversation-time]")!.TextContent);
        // The newest is open; its html is sanitised, in the frame that runs no script and loads nothing remote.
        Assert.True(messages[1].HasAttribute("open"));
        Assert.False(messages[0].HasAttribute("open"));
        var frame = messages[1].QuerySelector("iframe.review-html-frame")!;
        Assert.DoesNotContain("allow-scripts", frame.GetAttribute("sandbox"));
        Assert.Contains("Sounds <b>good</b>", frame.GetAttribute("srcdoc"));
        Assert.DoesNotContain("<script", frame.GetAttribute("srcdoc"));
        Assert.DoesNotContain("tracker.example.com", frame.GetAttribute("srcdoc"));
        Assert.Equal("Here are our prices.", messages[0].QuerySelector("[data-testid=conversation-text]")!.TextContent);
    }

    [Fact]
    public async Task A_held_follow_up_says_in_its_row_and_pane_that_a_reply_arrived_and_when_in_local_time()
    {
        SignInAsSupervisor();
        await RepliedConversationAsync();
        var cut = RenderPage<Queue>();

        cut.WaitForAssertion(() => Assert.Equal("held · a reply arrived", Row(cut, "Re: Pricing").QuerySelector("[data-testid=held]")!.TextContent));
        Assert.Contains("a reply from bob@example.com arrived Tue 24 Nov 2026, 10:30 CET", Row(cut, "Re: Pricing").QuerySelector("[data-testid=held]")!.GetAttribute("title"));
        Assert.Equal("pending", Row(cut, "Re: Pricing").QuerySelector("[data-state]")!.GetAttribute("data-state"));

        Row(cut, "Re: Pricing").Click();

        cut.WaitForAssertion(() => Assert.Contains("a reply from bob@example.com arrived Tue 24 Nov 2026, 10:30 CET", cut.Find("[data-testid=held-reason]").TextContent));
        Assert.DoesNotContain("UTC", cut.Find("[data-testid=held-reason]").TextContent);
    }

    [Fact]
    public async Task A_draft_in_a_thread_that_received_a_reply_is_marked_replied_and_others_are_not()
    {
        SignInAsSupervisor();
        var (inbox, _, _, reply) = await RepliedConversationAsync();
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "Answer to Bob", Text = "Calling you at 3.", InReplyTo = reply.MessageId });
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["carl@example.com"], Subject = "Unrelated", Text = "Hi Carl." });
        var cut = RenderPage<Queue>();

        cut.WaitForAssertion(() => Assert.Equal("replied", Row(cut, "Answer to Bob").QuerySelector("[data-testid=replied]")!.TextContent));
        Assert.Contains("Tue 24 Nov 2026, 10:30 CET", Row(cut, "Answer to Bob").QuerySelector("[data-testid=replied]")!.GetAttribute("title"));
        Assert.Null(Row(cut, "Unrelated").QuerySelector("[data-testid=replied]"));
        Assert.Null(Row(cut, "Unrelated").QuerySelector("[data-testid=held]"));
        Assert.Empty(Row(cut, "Unrelated").QuerySelectorAll("[data-testid=conversation]"));
    }

    [Fact]
    public async Task A_reply_arriving_while_the_queue_is_open_marks_the_follow_up_held_live()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var sent = await this.SendAsync(inbox, new NewDraft { To = ["bob@example.com"], Subject = "Pricing", Text = "Here are our prices." });
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "Re: Pricing", Text = "Bump.", InReplyTo = sent.MessageId, SendAt = Start.UtcDateTime.AddDays(1) });
        var cut = RenderPage<Queue>();
        cut.WaitForAssertion(() => Assert.Equal("scheduled", Row(cut, "Re: Pricing").QuerySelector("[data-state]")!.GetAttribute("data-state")));
        Row(cut, "Re: Pricing").Click();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=conversation-message]")));

        await this.ReceiveReplyAsync(sent, "bob@example.com", "Yes please.");

        cut.WaitForAssertion(() => Assert.NotNull(Row(cut, "Re: Pricing").QuerySelector("[data-testid=held]")), TimeSpan.FromSeconds(3));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=conversation-message]").Count), TimeSpan.FromSeconds(3));
        Assert.Contains("a reply from bob@example.com", cut.Find("[data-testid=held-reason]").TextContent);
    }

    [Fact]
    public async Task The_messages_page_lists_sent_and_received_mail_filters_it_and_opens_one_with_its_thread()
    {
        SignInAsSupervisor();
        var (inbox, sent, _, reply) = await RepliedConversationAsync();
        Clock.Advance(TimeSpan.FromMinutes(1));
        await this.SendAsync(inbox, new NewDraft { To = ["carl@example.com"], Subject = "Other thread", Text = "Hi Carl." });
        var cut = RenderPage<Sent>();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=sent-row]").Count));
        Assert.Equal("received", Row(cut, "Re: Pricing").GetAttribute("data-direction"));
        Assert.Equal("bob@example.com", Row(cut, "Re: Pricing").QuerySelector(".review-row-to")!.TextContent);
        Assert.Equal("sent", Row(cut, "Pricing").GetAttribute("data-direction"));

        cut.Find("[data-testid=show-received]").Click();
        cut.WaitForAssertion(() => Assert.Equal(["Re: Pricing"], cut.FindAll("[data-testid=sent-row] [data-testid=subject]").Select(s => s.TextContent)));
        cut.Find("[data-testid=show-sent]").Click();
        cut.WaitForAssertion(() => Assert.Equal(["Other thread", "Pricing"], cut.FindAll("[data-testid=sent-row] [data-testid=subject]").Select(s => s.TextContent)));
        cut.Find("[data-testid=show-all]").Click();

        // The thread link narrows the list to one conversation, oldest last as every list here (newest first).
        cut.WaitForAssertion(() => Row(cut, "Pricing").QuerySelector("[data-testid=thread-link]")!.Click());
        cut.WaitForAssertion(() => Assert.Equal(["Re: Pricing", "Pricing"], cut.FindAll("[data-testid=sent-row] [data-testid=subject]").Select(s => s.TextContent)));
        Assert.NotNull(cut.Find("[data-testid=thread-filter]"));

        Row(cut, "Re: Pricing").Click();

        cut.WaitForAssertion(() => Assert.Equal("Re: Pricing", cut.Find("[data-testid=message-pane] [data-testid=pane-subject]").TextContent));
        var pane = cut.Find("[data-testid=message-pane]");
        Assert.Equal("bob@example.com", pane.QuerySelector("[data-testid=from]")!.TextContent);
        Assert.Contains("Tue 24 Nov 2026, 10:30 CET", pane.QuerySelector("[data-testid=received-at]")!.TextContent);
        Assert.Null(pane.QuerySelector("[data-testid=sent-by]"));
        var thread = pane.QuerySelectorAll("[data-testid=conversation-message]");
        Assert.Equal([sent.MessageId, reply.MessageId], thread.Select(m => m.GetAttribute("data-message-id")));
        Assert.NotNull(thread[1].QuerySelector("[data-testid=this-message]"));

        // From the thread, the earlier sent message opens, with who approved it.
        thread[0].QuerySelectorAll("button").Single(b => b.TextContent == "Open").Click();
        cut.WaitForAssertion(() => Assert.Equal("Pricing", cut.Find("[data-testid=message-pane] [data-testid=pane-subject]").TextContent));
        Assert.Contains("supervisor@example.com", cut.Find("[data-testid=message-pane] [data-testid=sent-by]").TextContent);
    }

    [Fact]
    public async Task The_messages_view_model_keeps_filters_and_the_open_message_in_the_url()
    {
        SignInAsSupervisor();
        var (inbox, _, _, reply) = await RepliedConversationAsync();
        var model = new MessagesViewModel(Services.GetRequiredService<AgentMail.Review.Core.Messages.MessageQueries>(),
            Services.GetRequiredService<AgentMail.Review.Core.Threads.ThreadQueries>(), Services.GetRequiredService<AgentMail.Review.Core.Audit.AuditTrail>(), 50);
        await model.SetDirectionAsync(MessageDirection.Received);
        await model.SetInboxAsync(inbox);
        await model.OpenAsync(reply);

        var again = new MessagesViewModel(Services.GetRequiredService<AgentMail.Review.Core.Messages.MessageQueries>(),
            Services.GetRequiredService<AgentMail.Review.Core.Threads.ThreadQueries>(), Services.GetRequiredService<AgentMail.Review.Core.Audit.AuditTrail>(), 50);
        var linked = again.ReadQueryString(model.ToQueryString());
        await again.LoadAsync();

        Assert.Equal(reply.MessageId, linked);
        Assert.Equal(MessageDirection.Received, again.Direction);
        Assert.Equal(inbox, again.InboxId);
        Assert.Equal([reply.MessageId], again.Rows.Select(m => m.MessageId));
        Assert.True(await again.OpenAsync(linked!));
        Assert.Equal(2, again.OpenThread.Count);
    }
}
