using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Components.Drafts;
using AgentMail.Review.Web.Tests.Support;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Web.Tests.Console;

/// <summary>The queue's panels on their own: what they show from their parameters, and the events they raise.</summary>
public sealed class PanelTests : ConsoleTestContext
{
    private static QueueRow Row(string id, string subject, string[] to, DateTime? sendAt = null, DraftState state = DraftState.Pending) =>
        new(id, "sales@agents.example.com", state, to, ["cc@example.com"], [], subject, "the preview", ["vip"], sendAt, null, 0, 1, Start.UtcDateTime.AddMinutes(-5), Start.UtcDateTime.AddMinutes(-5));

    [Fact]
    public async Task The_list_shows_one_compact_line_per_draft_in_the_browsers_zone()
    {
        await BrowserAsync("America/New_York", "en-US", hour12: true, "EST", "EDT");
        var rows = new[]
        {
            Row("d1", "Quarterly numbers", ["ann@example.com", "bob@example.com"], Start.UtcDateTime.AddHours(10), DraftState.Scheduled),
            Row("d2", "Hello", ["carl@example.com"]),
        };
        string? opened = null;
        var cut = Render<QueueList>(p => p
            .Add(l => l.Rows, rows)
            .Add(l => l.FocusedId, "d2")
            .Add(l => l.CanAct, true)
            .Add(l => l.NewIds, new HashSet<string> { "d1" })
            .Add(l => l.OnOpen, id => opened = id));

        var first = cut.FindAll("[data-testid=queue-row]")[0];
        Assert.Equal("sales", first.QuerySelector(".review-row-inbox")!.TextContent);
        // To and Cc count: the first recipient, then how many more.
        Assert.Equal("ann@example.com +2", first.QuerySelector(".review-row-to")!.TextContent);
        // 24 Nov 19:00 UTC is 2:00 PM in New York, the same day as the test clock's 04:00.
        Assert.Equal("2:00 PM EST", first.QuerySelector("[data-testid=send-time]")!.TextContent.Trim());
        Assert.Equal("5 min", first.QuerySelector(".review-row-age")!.TextContent);
        Assert.Equal("scheduled", first.QuerySelector("[data-state]")!.GetAttribute("data-state"));
        Assert.NotNull(first.QuerySelector("[data-testid=new-marker]"));
        Assert.Equal("true", cut.FindAll("[data-testid=queue-row]")[1].GetAttribute("aria-current"));

        first.Click();
        Assert.Equal("d1", opened);
    }

    [Fact]
    public void A_send_an_agent_asked_for_is_marked_on_its_row_with_who_asked()
    {
        var held = Row("d1", "Offer", ["a@example.com"], Start.UtcDateTime, DraftState.Scheduled) with { AwaitingApproval = true, SendRequestedBy = "crm agent" };
        var cut = Render<QueueList>(p => p
            .Add(l => l.Rows, [held, Row("d2", "Other", ["b@example.com"])])
            .Add(l => l.CanAct, true));

        var rows = cut.FindAll("[data-testid=queue-row]");
        Assert.Equal("agent asked to send", rows[0].QuerySelector("[data-testid=send-requested]")!.TextContent);
        Assert.Contains("crm agent", rows[0].QuerySelector("[data-testid=send-requested]")!.GetAttribute("title"));
        Assert.Null(rows[1].QuerySelector("[data-testid=send-requested]"));
    }

    [Fact]
    public void A_row_waiting_out_its_delete_offers_undo()
    {
        string? undone = null;
        var cut = Render<QueueList>(p => p
            .Add(l => l.Rows, [Row("d1", "Bye", ["a@example.com"])])
            .Add(l => l.CanAct, true)
            .Add(l => l.Deleting, ["d1"])
            .Add(l => l.OnUndoDelete, id => undone = id));

        Assert.Contains("Deleting…", cut.Find("[data-testid=deleting]").TextContent);
        cut.Find("[data-testid=deleting] button").Click();

        Assert.Equal("d1", undone);
    }

    [Fact]
    public void Selecting_a_row_raises_the_event_without_opening_it()
    {
        (string, bool)? selected = null;
        string? opened = null;
        var cut = Render<QueueList>(p => p
            .Add(l => l.Rows, [Row("d1", "Pick me", ["a@example.com"])])
            .Add(l => l.CanAct, true)
            .Add(l => l.OnOpen, id => opened = id)
            .Add(l => l.OnSelect, s => selected = s));

        cut.Find("[data-testid=queue-row] input[type=checkbox]").Change(true);

        Assert.Equal(("d1", true), selected);
        Assert.Null(opened);
    }

    [Fact]
    public async Task The_pane_shows_the_whole_message_and_who_wrote_it()
    {
        await BrowserAsync("Europe/Berlin", "en-GB", hour12: false, "CET", "CEST");
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft
        {
            To = ["ann@example.com"],
            Cc = ["carl@example.com"],
            Bcc = ["audit@example.com"],
            Subject = "Contract",
            Text = "Please sign.",
            Html = "<p>Please <b>sign</b>.</p><img src=\"https://tracker.example.com/p.gif\"><script>alert(1)</script>",
            Labels = ["legal"],
            SendAt = Start.UtcDateTime.AddHours(2),
        });
        var audit = await Services.GetRequiredService<AuditTrail>().ForDraftAsync(draft.DraftId);

        var cut = Render<DraftPane>(p => p
            .Add(x => x.Draft, draft)
            .Add(x => x.Audit, audit)
            .Add(x => x.CanAct, true)
            .Add(x => x.Save, _ => Task.CompletedTask));

        Assert.Equal("Contract", cut.Find("[data-testid=pane-subject]").TextContent);
        Assert.Contains("sales agent", cut.Find("[data-testid=author]").TextContent);
        Assert.Equal("ann@example.com", cut.Find("[data-testid=to]").TextContent);
        Assert.Equal("carl@example.com", cut.Find("[data-testid=cc]").TextContent);
        Assert.Equal("audit@example.com", cut.Find("[data-testid=bcc]").TextContent);
        Assert.Contains("legal", cut.Find("[data-testid=labels]").TextContent);
        // 11:00 UTC is 12:00 in Berlin.
        Assert.Contains("Tue 24 Nov 2026, 12:00 CET", cut.Find("[data-testid=send-time]").TextContent);
        Assert.Contains("(in 2 h)", cut.Find("[data-testid=send-time]").TextContent);
        // History with seconds.
        Assert.Contains("10:00:00 CET", cut.Find("[data-testid=audit-trail]").TextContent);
        var frame = cut.Find("iframe.review-html-frame");
        Assert.DoesNotContain("allow-scripts", frame.GetAttribute("sandbox"));
        Assert.DoesNotContain("<script", frame.GetAttribute("srcdoc"));
        Assert.DoesNotContain("tracker.example.com", frame.GetAttribute("srcdoc"));

        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Show images").Click();

        Assert.Contains("tracker.example.com", cut.Find("iframe.review-html-frame").GetAttribute("srcdoc"));
        Assert.Empty(cut.FindAll("[data-testid=images-blocked]"));
    }

    [Fact]
    public async Task The_panes_actions_are_events_and_a_viewer_gets_none()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["ann@example.com"], Subject = "Act on me" });
        var raised = new List<string>();
        EventCallback Note(string name) => EventCallback.Factory.Create(this, () => raised.Add(name));
        var cut = Render<DraftPane>(p => p
            .Add(x => x.Draft, draft)
            .Add(x => x.CanAct, true)
            .Add(x => x.Save, _ => Task.CompletedTask)
            .Add(x => x.OnEdit, Note("edit"))
            .Add(x => x.OnApprove, Note("approve"))
            .Add(x => x.OnReschedule, Note("reschedule"))
            .Add(x => x.OnDelete, Note("delete")));

        foreach (var name in new[] { "Edit", "Approve and send", "Reschedule", "Delete" })
        {
            cut.FindAll("button").Single(b => b.TextContent.Trim() == name).Click();
        }

        Assert.Equal(["edit", "approve", "reschedule", "delete"], raised);

        var viewer = Render<DraftPane>(p => p.Add(x => x.Draft, draft).Add(x => x.CanAct, false).Add(x => x.Save, _ => Task.CompletedTask));
        Assert.Empty(viewer.FindAll("[role=toolbar]"));
    }
}
