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
    private IRenderedComponent<ContainerFragment> RenderQueue() => Render(builder =>
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<MudDialogProvider>(1);
        builder.CloseComponent();
        builder.OpenComponent<MudSnackbarProvider>(2);
        builder.CloseComponent();
        builder.OpenComponent<Queue>(3);
        builder.CloseComponent();
    });

    private static string[] Subjects(IRenderedComponent<ContainerFragment> cut) =>
        cut.FindAll("[data-testid=subject]").Select(e => e.TextContent).ToArray();

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
        foreach (var action in new[] { "Edit", "Approve and send", "Reschedule", "Delete" })
        {
            Assert.Empty(cut.FindAll($"button[aria-label='{action}']"));
        }
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
    public async Task A_change_underneath_an_open_edit_keeps_the_typing_and_refuses_the_stale_save()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "original" });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("button[aria-label='Edit']")));
        cut.Find("button[aria-label='Edit']").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=draft-editor]")));
        var subject = cut.FindAll("[data-testid=draft-editor] input").Single(i => i.GetAttribute("value") == "original");
        subject.Change("my careful rewrite");

        await Drafts.UpdateAsync(Agent, inbox, draft.DraftId, new DraftPatch { Text = "agent changed the body" });

        cut.WaitForAssertion(() => Assert.Contains("sales agent changed this draft", cut.Find("[data-testid=changed-underneath]").TextContent), TimeSpan.FromSeconds(3));
        Assert.Contains(cut.FindAll("[data-testid=draft-editor] input"), i => i.GetAttribute("value") == "my careful rewrite");

        cut.FindAll("[data-testid=draft-editor] button").Single(b => b.TextContent.Trim() == "Save").Click();

        cut.WaitForAssertion(() => Assert.Contains("reload", cut.Find("[data-testid=draft-editor]").TextContent, StringComparison.OrdinalIgnoreCase));
        var stored = await Services.GetRequiredService<DraftQueries>().GetAsync(AccessScope.Organisation, inbox, draft.DraftId);
        Assert.Equal("original", stored.Subject);
        Assert.Equal("agent changed the body", stored.Text);
    }
}
