using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Auth;
using AgentMail.Review.Web.Components.Pages;
using AgentMail.Review.Web.Tests.Support;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Bunit.Rendering;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentMail.Review.Web.Tests.Console;

public sealed class QueueTests : ConsoleTestContext
{
    private static string[] Subjects(IRenderedComponent<ContainerFragment> cut) =>
        cut.FindAll("[data-testid=subject]").Select(e => e.TextContent).ToArray();

    private static IEnumerable<AngleSharp.Dom.IElement> Buttons(IRenderedComponent<ContainerFragment> cut, string name) =>
        cut.FindAll("button").Where(b => b.TextContent.Trim() == name);

    [Fact]
    public async Task The_grid_shows_a_page_from_the_store_newest_first()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        foreach (var subject in new[] { "first", "second", "third" })
        {
            await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = subject });
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var cut = RenderQueue();

        cut.WaitForAssertion(() => Assert.Equal(["third", "second", "first"], Subjects(cut)));
        Assert.Contains("bob@example.com", cut.Markup);
        Assert.Equal("3", cut.Find("[data-testid=count-pending]").TextContent.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    [Fact]
    public async Task Choosing_a_state_narrows_the_query_to_it()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "waiting" });
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "later", SendAt = Clock.GetUtcNow().UtcDateTime.AddHours(3) });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => Assert.Equal(2, Subjects(cut).Length));

        cut.Find("[data-testid=count-scheduled]").Click();

        cut.WaitForAssertion(() => Assert.Equal(["later"], Subjects(cut)));
    }

    [Fact]
    public async Task Searching_text_filters_in_the_store()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "Invoice 42", To = ["carol@example.com"] });
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "Hello", To = ["dave@example.com"] });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => Assert.Equal(2, Subjects(cut).Length));

        cut.Find("#queue-search").Input("dave@");
        // The search box waits for typing to pause; its debounce runs on the console's clock.
        Clock.Advance(TimeSpan.FromMilliseconds(300));

        cut.WaitForAssertion(() => Assert.Equal(["Hello"], Subjects(cut)), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_viewer_sees_drafts_but_no_actions()
    {
        SignInAs("viewer@example.com", ReviewPolicies.Viewer);
        var inbox = await CreateInboxAsync();
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "read only" });

        var cut = RenderQueue();

        cut.WaitForAssertion(() => Assert.Equal(["read only"], Subjects(cut)));
        cut.Find("[data-testid=subject]").Click();
        cut.WaitForAssertion(() => Assert.Equal("read only", cut.Find("[data-testid=pane-subject]").TextContent));
        foreach (var action in new[] { "Edit", "Approve and send", "Reschedule", "Delete" })
        {
            Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Trim() == action || b.GetAttribute("aria-label") == action);
        }

        Assert.Empty(cut.FindAll("[data-testid=queue-row] input[type=checkbox]"));
    }

    [Fact]
    public async Task A_draft_created_elsewhere_appears_live_and_is_marked_new()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var cut = RenderQueue();
        cut.WaitForAssertion(() => Assert.Empty(Subjects(cut)));

        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "just arrived" });

        cut.WaitForAssertion(() => Assert.Equal(["just arrived"], Subjects(cut)), TimeSpan.FromSeconds(3));
        Assert.Single(cut.FindAll("[data-testid=new-marker]"));
    }

    [Fact]
    public async Task A_change_underneath_an_open_edit_is_said_at_once_and_the_save_shows_both_versions_without_losing_the_typing()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "original" });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => Assert.Single(Subjects(cut)));
        cut.Find("[data-testid=subject]").Click();
        cut.WaitForAssertion(() => Assert.Single(Buttons(cut, "Edit")));
        Buttons(cut, "Edit").Single().Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=draft-editor]")));
        var subject = cut.FindAll("[data-testid=draft-editor] input").Single(i => i.GetAttribute("value") == "original");
        subject.Input("my careful rewrite");

        await Drafts.UpdateAsync(Agent, inbox, draft.DraftId, new DraftPatch { Subject = "agent's subject", Text = "agent changed the body" });

        cut.WaitForAssertion(() => Assert.Contains("sales agent changed this draft", cut.Find("[data-testid=changed-underneath]").TextContent), TimeSpan.FromSeconds(3));
        Assert.Contains(cut.FindAll("[data-testid=draft-editor] input"), i => i.GetAttribute("value") == "my careful rewrite");

        cut.FindAll("[data-testid=draft-editor] button").Single(b => b.TextContent.Trim() == "Save").Click();

        // The stale save is refused, and both versions are side by side: nothing typed is gone.
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=edit-compare]")));
        var compared = cut.FindAll("[data-testid=compare-field]").ToDictionary(r => r.GetAttribute("data-field")!);
        Assert.Equal("my careful rewrite", compared["Subject"].QuerySelector("[data-testid=compare-mine]")!.TextContent.Trim());
        Assert.Equal("agent's subject", compared["Subject"].QuerySelector("[data-testid=compare-theirs]")!.TextContent.Trim());
        Assert.Contains("not changed by you", compared["Text"].QuerySelector("[data-testid=compare-mine]")!.TextContent);
        var queries = Services.GetRequiredService<DraftQueries>();
        Assert.Equal("agent's subject", (await queries.GetAsync(AccessScope.Organisation, inbox, draft.DraftId)).Subject);

        Buttons(cut, "Keep mine").Single().Click();

        // Mine is written where I changed something; their body, which I never touched, stays.
        await Eventually.AssertAsync(async () =>
        {
            var stored = await queries.GetAsync(AccessScope.Organisation, inbox, draft.DraftId);
            Assert.Equal("my careful rewrite", stored.Subject);
            Assert.Equal("agent changed the body", stored.Text);
        });
    }

    [Fact]
    public async Task A_draft_arriving_above_the_rows_waits_behind_the_banner_and_nothing_moves()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var older = await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "older" });
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "newer" });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => Assert.Equal(["newer", "older"], Subjects(cut)));

        // An edit would put "older" first in a fresh page; a new draft would come first too. Neither moves a row.
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Drafts.UpdateAsync(Agent, inbox, older.DraftId, new DraftPatch { Subject = "older, edited" });
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "just arrived" });

        cut.WaitForAssertion(() => Assert.Equal("1 new draft — show", cut.Find("[data-testid=new-drafts-banner]").TextContent.Trim()), TimeSpan.FromSeconds(3));
        Assert.Equal(["newer", "older, edited"], Subjects(cut));

        cut.Find("[data-testid=new-drafts-banner]").Click();

        cut.WaitForAssertion(() => Assert.Equal(["just arrived", "older, edited", "newer"], Subjects(cut)));
        Assert.Empty(cut.FindAll("[data-testid=new-drafts-banner]"));
        Assert.Single(cut.FindAll("[data-testid=new-marker]"));
    }

    [Fact]
    public async Task The_focused_draft_stays_focused_when_the_banner_is_applied()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "one" });
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "two" });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => Assert.Equal(2, Subjects(cut).Length));
        cut.FindAll("[data-testid=subject]").Single(e => e.TextContent == "one").Click();
        cut.WaitForAssertion(() => Assert.Equal("one", cut.Find("[data-testid=pane-subject]").TextContent));

        Clock.Advance(TimeSpan.FromSeconds(1));
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "three" });
        cut.WaitForAssertion(() => cut.Find("[data-testid=new-drafts-banner]").Click(), TimeSpan.FromSeconds(3));

        cut.WaitForAssertion(() => Assert.Equal(3, Subjects(cut).Length));
        Assert.Contains("one", cut.Find("[data-testid=queue-row][aria-current=true]").TextContent);
        Assert.Equal("one", cut.Find("[data-testid=pane-subject]").TextContent);
    }

    [Fact]
    public async Task A_deleted_draft_waits_out_the_undo_window_and_undo_keeps_it()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var kept = await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "kept" });
        Clock.Advance(TimeSpan.FromSeconds(1));
        var gone = await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "gone" });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => Assert.Equal(2, Subjects(cut).Length));
        var queries = Services.GetRequiredService<DraftQueries>();

        cut.FindAll("[data-testid=subject]").Single(e => e.TextContent == "kept").Click();
        cut.WaitForAssertion(() => Buttons(cut, "Delete").Single().Click());
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=deleting]")));
        cut.Find("[data-testid=deleting] button").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=deleting]")));

        cut.FindAll("[data-testid=subject]").Single(e => e.TextContent == "gone").Click();
        cut.WaitForAssertion(() => Assert.Equal("gone", cut.Find("[data-testid=pane-subject]").TextContent));
        cut.WaitForAssertion(() => Buttons(cut, "Delete").Single().Click());
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=deleting]")));
        Assert.Equal("gone", (await queries.GetAsync(AccessScope.Organisation, inbox, gone.DraftId)).Subject);

        Clock.Advance(TimeSpan.FromSeconds(5));

        cut.WaitForAssertion(() => Assert.Equal(["kept"], Subjects(cut)), TimeSpan.FromSeconds(3));
        await Assert.ThrowsAsync<NotFoundException>(() => queries.GetAsync(AccessScope.Organisation, inbox, gone.DraftId));
        Assert.Equal("kept", (await queries.GetAsync(AccessScope.Organisation, inbox, kept.DraftId)).Subject);
    }

    [Fact]
    public async Task A_delete_still_in_its_window_is_made_when_the_page_goes_away()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "left behind" });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => cut.Find("[data-testid=subject]").Click());
        cut.WaitForAssertion(() => Buttons(cut, "Delete").Single().Click());
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=deleting]")));

        await DisposeComponentsAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => Services.GetRequiredService<DraftQueries>().GetAsync(AccessScope.Organisation, inbox, draft.DraftId));
    }

    [Fact]
    public async Task The_keyboard_moves_the_focus_and_the_pane_follows_it()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        foreach (var subject in new[] { "c", "b", "a" })
        {
            await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = subject, Cc = ["cc@example.com"] });
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var cut = RenderQueue();
        cut.WaitForAssertion(() => Assert.Equal(["a", "b", "c"], Subjects(cut)));
        var keys = Services.GetRequiredService<AgentMail.Review.Web.Console.KeyboardShortcuts>();

        await cut.InvokeAsync(() => keys.OnShortcut("j"));
        await cut.InvokeAsync(() => keys.OnShortcut("j"));

        cut.WaitForAssertion(() => Assert.Equal("b", cut.Find("[data-testid=pane-subject]").TextContent));
        Assert.Contains("b", cut.Find("[data-testid=queue-row][aria-current=true]").TextContent);
        Assert.Equal("cc@example.com", cut.Find("[data-testid=cc]").TextContent);
        Assert.Contains(JSInterop.Invocations, i => i.Identifier == "reviewConsole.reveal");

        await cut.InvokeAsync(() => keys.OnShortcut("x"));
        cut.WaitForAssertion(() => Assert.Contains("1 selected", cut.Find("[data-testid=bulk-bar]").TextContent));

        await cut.InvokeAsync(() => keys.OnShortcut("e"));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=draft-editor]")));
        await cut.InvokeAsync(() => keys.OnShortcut("Escape"));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=draft-editor]")));
    }

    [Fact]
    public async Task The_awaiting_approval_chip_counts_the_drafts_held_for_a_supervisor_and_filters_to_them()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["a@example.com"], Subject = "due now", SendAt = Clock.GetUtcNow().UtcDateTime.AddMinutes(1) });
        var asked = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["b@example.com"], Subject = "agent asked" });
        await Drafts.HoldSendRequestAsync(Agent, inbox, asked.DraftId);
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["c@example.com"], Subject = "tomorrow", SendAt = Clock.GetUtcNow().UtcDateTime.AddDays(1) });
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["d@example.com"], Subject = "no time" });
        Clock.Advance(TimeSpan.FromMinutes(2));

        var cut = RenderQueue();

        cut.WaitForAssertion(() => Assert.Equal(4, Subjects(cut).Length));
        Assert.Equal("awaiting approval 2", cut.Find("[data-testid=count-awaiting]").TextContent.Trim());

        cut.Find("[data-testid=count-awaiting]").Click();

        cut.WaitForAssertion(() => Assert.Equal(["agent asked", "due now"], Subjects(cut).Order()));
        Assert.All(cut.FindAll("[data-testid=queue-row]"), row => Assert.NotNull(row.QuerySelector("[data-testid=awaiting-approval]")));
        Assert.Contains("awaiting=1", Services.GetRequiredService<NavigationManager>().Uri);

        cut.Find("[data-testid=count-awaiting]").Click();
        cut.WaitForAssertion(() => Assert.Equal(4, Subjects(cut).Length));
    }

    private static string CountOn(IRenderedComponent<ContainerFragment> cut, string chip) =>
        cut.Find($"[data-testid=count-{chip}]").TextContent.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];

    [Fact]
    public async Task The_count_chips_follow_each_live_change_even_two_in_one_second_and_show_which_state_is_chosen()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "first" });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => Assert.Equal("1", CountOn(cut, "pending")));

        // The fake clock stands still: nothing but the changes themselves can tell the console its counts are old.
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "second" });
        cut.WaitForAssertion(() => Assert.Equal("2", CountOn(cut, "pending")));
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "later", SendAt = Clock.GetUtcNow().UtcDateTime.AddHours(3) });
        cut.WaitForAssertion(() => Assert.Equal("1", CountOn(cut, "scheduled")));
        Assert.Equal("2", CountOn(cut, "pending"));

        Assert.DoesNotContain("mud-chip-filled", cut.Find("[data-testid=count-scheduled]").ClassName);
        cut.Find("[data-testid=count-scheduled]").Click();
        cut.WaitForAssertion(() => Assert.Equal(["later"], Subjects(cut)));
        Assert.Contains("mud-chip-filled", cut.Find("[data-testid=count-scheduled]").ClassName);
    }

    [Fact]
    public async Task The_pager_moves_a_page_at_a_time_and_says_which_page_is_shown()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        for (var i = 0; i < 51; i++)
        {
            await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = $"draft {i:00}" });
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var cut = RenderQueue();
        cut.WaitForAssertion(() => Assert.Equal(50, Subjects(cut).Length));
        Assert.Contains("Page 1", cut.Find(".review-pager").TextContent);
        Assert.True(Buttons(cut, "Previous page").Single().HasAttribute("disabled"));

        Buttons(cut, "Next page").Single().Click();

        cut.WaitForAssertion(() => Assert.Equal(["draft 00"], Subjects(cut)));
        Assert.Contains("Page 2", cut.Find(".review-pager").TextContent);
        Assert.False(Buttons(cut, "Previous page").Single().HasAttribute("disabled"));
        Assert.True(Buttons(cut, "Next page").Single().HasAttribute("disabled"));

        Buttons(cut, "Previous page").Single().Click();

        cut.WaitForAssertion(() => Assert.Equal(50, Subjects(cut).Length));
        Assert.Contains("Page 1", cut.Find(".review-pager").TextContent);
    }
}
