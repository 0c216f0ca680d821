using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Components.Drafts;
using AgentMail.Review.Web.Components.Pages;
using AgentMail.Review.Web.Console;
using AgentMail.Review.Web.Tests.Support;
using Bunit;
using Bunit.Rendering;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AgentMail.Review.Web.Tests.Console;

/// <summary>What a supervisor does with an agent's draft besides sending it: send it back, relabel it, see what they changed, catch disagreeing parts.</summary>
public sealed class ReviewFeedbackTests : ConsoleTestContext
{
    private static AngleSharp.Dom.IElement Button(IRenderedComponent<ContainerFragment> cut, string name) =>
        cut.FindAll("button").Single(b => b.TextContent.Trim() == name);

    private Task<Draft> StoredAsync(Draft draft) => Services.GetRequiredService<DraftQueries>().GetAsync(AccessScope.Organisation, draft.InboxId, draft.DraftId);

    [Fact]
    public async Task Request_changes_asks_for_a_reason_then_the_draft_goes_back_marked_in_row_and_pane()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "Offer", Text = "20% off", SendAt = Start.UtcDateTime.AddHours(1) });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => cut.Find("[data-testid=queue-row]").Click());
        cut.WaitForAssertion(() => Button(cut, "Request changes").Click());

        // Without a reason nothing can be sent back.
        cut.WaitForAssertion(() => Assert.True(cut.Find("[data-testid=confirm-request-changes]").HasAttribute("disabled")));
        cut.Find("#request-changes-reason").Input("   ");
        Assert.True(cut.Find("[data-testid=confirm-request-changes]").HasAttribute("disabled"));
        Assert.Null((await StoredAsync(draft)).ChangesRequested);

        cut.Find("#request-changes-reason").Input("Offer 10%, not 20%.");
        cut.Find("[data-testid=confirm-request-changes]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Offer 10%, not 20%.", cut.Find("[data-testid=draft-pane] [data-testid=changes-requested]").TextContent));
        Assert.Contains("supervisor@example.com", cut.Find("[data-testid=draft-pane] [data-testid=changes-requested]").TextContent);
        cut.WaitForAssertion(() => Assert.Equal("changes requested", cut.Find("[data-testid=queue-row] [data-testid=changes-requested]").TextContent), TimeSpan.FromSeconds(3));
        var stored = await StoredAsync(draft);
        Assert.Equal("Offer 10%, not 20%.", stored.ChangesRequested);
        Assert.Equal(DraftState.Pending, stored.State);
        Assert.Contains(AuditActions.ChangesRequested, cut.Find("[data-testid=audit-trail]").TextContent);
    }

    [Fact]
    public async Task The_c_key_asks_for_the_reason_for_the_focused_draft()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "Keyboard" });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=queue-row]")));
        var keys = Services.GetRequiredService<KeyboardShortcuts>();
        await cut.InvokeAsync(() => keys.OnShortcut("j"));
        cut.WaitForAssertion(() => Assert.Equal("Keyboard", cut.Find("[data-testid=pane-subject]").TextContent));

        // The shortcut's handler waits for the dialog's answer, as "a" does for its confirmation: not awaited here.
        var pressed = cut.InvokeAsync(() => keys.OnShortcut("c"));
        cut.WaitForAssertion(() => cut.Find("#request-changes-reason").Input("Shorter, please."));
        cut.Find("[data-testid=confirm-request-changes]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Shorter, please.", cut.Find("[data-testid=draft-pane] [data-testid=changes-requested]").TextContent));
        Assert.Equal("Shorter, please.", (await StoredAsync(draft)).ChangesRequested);
        await pressed;
    }

    [Fact]
    public async Task Labels_are_added_and_removed_in_the_pane()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "Tag me", Labels = ["old"] });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => cut.Find("[data-testid=queue-row]").Click());
        cut.WaitForAssertion(() => cut.Find("[data-testid=label-input]"));

        cut.Find("[data-testid=label-input]").Input("vip");
        cut.Find("[data-testid=label-input]").KeyDown("Enter");

        cut.WaitForAssertion(() => Assert.Equal(["old", "vip"], cut.FindAll("[data-testid=draft-pane] [data-testid=label]").Select(l => l.TextContent.Replace("×", "").Trim())));
        Assert.Equal(["old", "vip"], (await StoredAsync(draft)).Labels);

        // The pane re-renders again when the change comes back live: find and click in one step on the renderer.
        await cut.InvokeAsync(() => cut.Find("button[aria-label='Remove label old']").Click());

        cut.WaitForAssertion(() => Assert.Equal(["vip"], cut.FindAll("[data-testid=draft-pane] [data-testid=label]").Select(l => l.TextContent.Replace("×", "").Trim())));
        Assert.Equal(["vip"], (await StoredAsync(draft)).Labels);
    }

    [Fact]
    public async Task A_viewer_cannot_edit_labels_or_request_changes()
    {
        SignInAs("viewer@example.com", AgentMail.Review.Web.Auth.ReviewPolicies.Viewer);
        var inbox = await CreateInboxAsync();
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "Look only", Labels = ["vip"] });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => cut.Find("[data-testid=queue-row]").Click());

        cut.WaitForAssertion(() => Assert.Contains("vip", cut.Find("[data-testid=labels]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=label-input]"));
        Assert.Empty(cut.FindAll("button[aria-label^='Remove label']"));
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Trim() == "Request changes");
    }

    [Fact]
    public async Task The_pane_shows_a_supervisors_changes_against_the_agents_version_line_by_line()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "Offer", Text = "Dear Bob,\n20% off\nBest" });
        var untouched = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "As written", Text = "Fine as it is" });
        draft = await Drafts.UpdateAsync(Conversations.Supervisor, inbox, draft.DraftId, new DraftPatch { Text = "Dear Bob,\n10% off\nBest", Subject = "Our offer" });

        var changed = Render<AgentChanges>(p => p.Add(x => x.Draft, draft));
        var same = Render<AgentChanges>(p => p.Add(x => x.Draft, untouched));

        Assert.Contains("Changes from the agent's version", changed.Find("[data-testid=agent-changes] summary").TextContent);
        Assert.Contains("subject, text", changed.Find("[data-testid=agent-changes] summary").TextContent);
        Assert.Equal("Offer", changed.Find("[data-testid=agent-change-subject] .review-diff-removed").TextContent);
        Assert.Equal("Our offer", changed.Find("[data-testid=agent-change-subject] .review-diff-added").TextContent);
        var lines = changed.FindAll("[data-testid=agent-change-text] [data-kind]").Select(l => (l.GetAttribute("data-kind"), l.TextContent.TrimEnd('\n'))).ToList();
        Assert.Equal([("same", "  Dear Bob,"), ("removed", "- 20% off"), ("added", "+ 10% off"), ("same", "  Best")], lines);
        Assert.Empty(same.FindAll("[data-testid=agent-changes]"));
    }

    [Fact]
    public async Task The_pane_warns_when_the_text_and_html_parts_disagree_and_not_when_they_agree()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var disagreeing = await Drafts.CreateAsync(Agent, inbox, new NewDraft
        {
            To = ["bob@example.com"], Subject = "Price", Text = "The price is 100 euros per seat, billed yearly.", Html = "<p>The price is <b>80 euros</b> per seat, billed monthly.</p>",
        });
        var agreeing = await Drafts.CreateAsync(Agent, inbox, new NewDraft
        {
            To = ["bob@example.com"], Subject = "Same", Text = "Hello Bob,\nsee https://example.com/offer for the offer.\nBest",
            Html = "<p>Hello&nbsp;Bob,</p><p>see <a href=\"https://example.com/offer\">the offer</a> for the offer.</p><p>Best</p>",
        });

        var warned = Render<DraftDetails>(p => p.Add(x => x.Draft, disagreeing));
        var quiet = Render<DraftDetails>(p => p.Add(x => x.Draft, agreeing));

        var warning = warned.Find("[data-testid=parts-disagree]").TextContent;
        Assert.Contains("The plain-text and HTML parts say different things", warning);
        Assert.Contains("Only in the text: 100, yearly", warning);
        Assert.Contains("Only in the HTML: 80, monthly", warning);
        Assert.Empty(quiet.FindAll("[data-testid=parts-disagree]"));
    }
}
