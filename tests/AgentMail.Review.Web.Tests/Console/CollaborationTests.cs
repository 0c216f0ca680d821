using System.Text.Json;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Components.Drafts;
using AgentMail.Review.Web.Components.Pages;
using AgentMail.Review.Web.Console;
using AgentMail.Review.Web.Tests.Support;
using Bunit;
using Bunit.Rendering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;

namespace AgentMail.Review.Web.Tests.Console;

/// <summary>Two people on one draft, an edit that survives the browser going away, and z.</summary>
public sealed class CollaborationTests : ConsoleTestContext
{
    private static readonly Actor OtherSupervisor = Actor.Person("admin-sub", "admin@example.com", "127.0.0.1");

    private static IEnumerable<AngleSharp.Dom.IElement> Buttons(IRenderedComponent<ContainerFragment> cut, string name) =>
        cut.FindAll("button").Where(b => b.TextContent.Trim() == name);

    [Fact]
    public void Others_on_a_draft_are_named_once_each_editing_before_viewing_and_never_yourself()
    {
        var board = new PresenceBoard();
        board.Set(Guid.NewGuid(), "d1", new PresenceEntry("me", "me@example.com", PresenceMode.Editing));
        board.Set(Guid.NewGuid(), "d1", new PresenceEntry("ana", "ana@example.com", PresenceMode.Viewing));
        board.Set(Guid.NewGuid(), "d1", new PresenceEntry("ana", "ana@example.com", PresenceMode.Editing));
        board.Set(Guid.NewGuid(), "d1", new PresenceEntry("bo", "bo@example.com", PresenceMode.Viewing));
        board.Set(Guid.NewGuid(), "d1", new PresenceEntry("cy", "cy@example.com", PresenceMode.Viewing));
        var elsewhere = Guid.NewGuid();
        board.Set(elsewhere, "d2", new PresenceEntry("dee", "dee@example.com", PresenceMode.Viewing));

        Assert.Equal("ana@example.com is editing; bo@example.com and cy@example.com are viewing", PresenceBoard.Describe(board.Others("d1", "me")));

        // Moving to another draft leaves the first; leaving altogether leaves nobody.
        Assert.Equal(["d2", "d1"], board.Set(elsewhere, "d1", new PresenceEntry("dee", "dee@example.com", PresenceMode.Viewing)));
        Assert.Null(PresenceBoard.Describe(board.Others("d2", "me")));
        Assert.Equal(["d1"], board.Set(elsewhere, null, null));
        Assert.Empty(board.Set(elsewhere, null, null));
    }

    [Fact]
    public async Task Another_supervisor_on_a_draft_is_shown_on_its_row_and_in_the_pane_until_they_leave()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "shared" });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => cut.Find("[data-testid=subject]").Click());
        cut.WaitForAssertion(() => Assert.Equal("shared", cut.Find("[data-testid=pane-subject]").TextContent));
        // Myself: not shown to me.
        Assert.Empty(cut.FindAll("[data-testid=row-presence]"));
        Assert.Empty(cut.FindAll("[data-testid=pane-presence]"));

        var other = Services.GetRequiredService<DraftPresence>().Join("admin-sub", "admin@example.com");
        other.Show(draft.DraftId, PresenceMode.Viewing);
        cut.WaitForAssertion(() => Assert.Equal("admin@example.com is viewing", cut.Find("[data-testid=row-presence]").TextContent.Trim()), TimeSpan.FromSeconds(3));

        other.Show(draft.DraftId, PresenceMode.Editing);
        cut.WaitForAssertion(() => Assert.Equal("admin@example.com is editing", cut.Find("[data-testid=pane-presence]").TextContent.Trim()), TimeSpan.FromSeconds(3));

        other.Dispose();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=row-presence]")), TimeSpan.FromSeconds(3));
        Assert.Empty(cut.FindAll("[data-testid=pane-presence]"));
    }

    /// <summary>A supervisor's page with a draft open in its editor, as others see it.</summary>
    private async Task<(IRenderedComponent<ContainerFragment> Cut, DraftPresence Presence, Draft Draft)> EditingADraftAsync()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "looked at" });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => cut.Find("[data-testid=subject]").Click());
        cut.WaitForAssertion(() => Buttons(cut, "Edit").Single().Click());
        var presence = Services.GetRequiredService<DraftPresence>();
        cut.WaitForAssertion(() => Assert.Equal("supervisor@example.com is editing", PresenceBoard.Describe(presence.Others(draft.DraftId, "someone else"))));
        return (cut, presence, draft);
    }

    [Fact]
    public async Task A_page_that_goes_away_stops_being_shown_to_others()
    {
        var (_, presence, draft) = await EditingADraftAsync();

        await DisposeComponentsAsync();

        Assert.Empty(presence.Others(draft.DraftId, "someone else"));
    }

    [Fact]
    public async Task A_page_whose_browser_drops_stops_being_shown_to_others_and_is_shown_again_when_it_reconnects()
    {
        var (cut, presence, draft) = await EditingADraftAsync();
        var connection = Services.GetRequiredService<CircuitConnection>();

        // The circuit is kept for minutes after its browser goes without a goodbye; its presence is not.
        await connection.OnConnectionDownAsync(null!, CancellationToken.None);
        cut.WaitForAssertion(() => Assert.Empty(presence.Others(draft.DraftId, "someone else")));

        await connection.OnConnectionUpAsync(null!, CancellationToken.None);
        cut.WaitForAssertion(() => Assert.Equal("supervisor@example.com is editing", PresenceBoard.Describe(presence.Others(draft.DraftId, "someone else"))));
    }

    [Fact]
    public async Task Another_supervisors_approval_while_the_editor_is_open_is_said_at_once()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "contested" });
        var cut = RenderQueue();
        cut.WaitForAssertion(() => cut.Find("[data-testid=subject]").Click());
        cut.WaitForAssertion(() => Buttons(cut, "Edit").Single().Click());
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=draft-editor]")));

        await Services.GetRequiredService<SendService>().ApproveAsync(OtherSupervisor, inbox, draft.DraftId, draft.Version, TimeSpan.FromMinutes(1));

        cut.WaitForAssertion(() => Assert.Contains("admin@example.com approved this draft for sending while you were editing", cut.Find("[data-testid=changed-underneath]").TextContent), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void An_agents_send_and_a_delete_while_editing_are_named_for_what_they_are()
    {
        var change = new DraftChange(DraftChangeKind.Sent, "d1", "sales@example.com", 4, DraftState.Sending, null, Agent, ConsoleTestContext.Start.UtcDateTime);
        Assert.StartsWith("This draft was sent while you were editing (sales agent)", EditorNotices.For(change, null), StringComparison.Ordinal);
        Assert.StartsWith("admin@example.com deleted this draft", EditorNotices.For(change with { Kind = DraftChangeKind.Deleted, Actor = OtherSupervisor }, null), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Take_theirs_after_a_conflict_puts_their_version_in_the_editor()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "first" });
        var cut = Render<DraftEditor>(p => p
            .Add(e => e.Draft, draft)
            .Add(e => e.Save, patch => Drafts.UpdateAsync(OtherSupervisor, inbox, draft.DraftId, patch))
            .Add(e => e.LoadLatest, async () => await Services.GetRequiredService<DraftQueries>().GetAsync(AccessScope.Organisation, inbox, draft.DraftId)));
        cut.FindAll("input").Single(i => i.GetAttribute("value") == "first").Input("mine");
        await Drafts.UpdateAsync(Agent, inbox, draft.DraftId, new DraftPatch { Subject = "theirs" });

        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=edit-compare]")));
        // Both are there to compare.
        Assert.Equal("mine", cut.Find("[data-testid=compare-mine]").TextContent.Trim());
        Assert.Equal("theirs", cut.Find("[data-testid=compare-theirs]").TextContent.Trim());

        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Take theirs").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=edit-compare]")));
        Assert.Contains(cut.FindAll("input"), i => i.GetAttribute("value") == "theirs");
        Assert.DoesNotContain(cut.FindAll("input"), i => i.GetAttribute("value") == "mine");
    }

    [Fact]
    public async Task Typing_is_kept_in_the_browser_until_it_is_saved()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "before" });
        var cut = Render<DraftEditor>(p => p
            .Add(e => e.Draft, draft)
            .Add(e => e.Save, patch => Drafts.UpdateAsync(OtherSupervisor, inbox, draft.DraftId, patch)));

        cut.FindAll("input").Single(i => i.GetAttribute("value") == "before").Input("half-typed");

        var kept = JSInterop.Invocations["reviewConsole.keepEdit"].Last();
        Assert.Equal(draft.DraftId, kept.Arguments[0]);
        var edit = JsonSerializer.Deserialize<KeptEdit>((string)kept.Arguments[1]!, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal("half-typed", edit.Edit.Subject);
        Assert.Equal(draft.Version, edit.Version);

        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();

        // Saved: the browser lets go of it.
        cut.WaitForAssertion(() => Assert.Null(JSInterop.Invocations["reviewConsole.keepEdit"].Last().Arguments[1]));
    }

    [Fact]
    public async Task An_edit_kept_from_before_is_offered_back_and_restored_on_request()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "as saved" });
        var kept = new KeptEdit(draft.Version, DraftEdit.Of(draft) with { Subject = "typed before the restart" }, Start.UtcDateTime);
        JSInterop.Setup<string?>("reviewConsole.keptEdit", i => (string?)i.Arguments[0] == draft.DraftId)
            .SetResult(JsonSerializer.Serialize(kept, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        var cut = Render<DraftEditor>(p => p
            .Add(e => e.Draft, draft)
            .Add(e => e.Save, patch => Drafts.UpdateAsync(OtherSupervisor, inbox, draft.DraftId, patch)));

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=restore-offer]")));
        // Offered, not applied unasked.
        Assert.Contains(cut.FindAll("input"), i => i.GetAttribute("value") == "as saved");

        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Restore your unsaved edit").Click();

        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("input"), i => i.GetAttribute("value") == "typed before the restart"));
        Assert.Empty(cut.FindAll("[data-testid=restore-offer]"));
    }

    [Fact]
    public async Task Z_undoes_the_last_delete_and_the_last_approval()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "undo me" });
        var cut = RenderQueue();
        var keys = Services.GetRequiredService<KeyboardShortcuts>();
        var queries = Services.GetRequiredService<DraftQueries>();
        cut.WaitForAssertion(() => cut.Find("[data-testid=subject]").Click());
        cut.WaitForAssertion(() => Buttons(cut, "Delete").Single().Click());
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=deleting]")));

        await cut.InvokeAsync(() => keys.OnShortcut("z"));

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=deleting]")));
        Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("undo me", (await queries.GetAsync(AccessScope.Organisation, inbox, draft.DraftId)).Subject);

        cut.WaitForAssertion(() => Buttons(cut, "Approve and send").Single().Click());
        cut.WaitForAssertion(() => cut.Find("[data-testid=confirm-send]").Click());
        await Eventually.AssertAsync(async () => Assert.NotNull((await queries.GetAsync(AccessScope.Organisation, inbox, draft.DraftId)).ApprovedBy));
        // The approval is the last action once the page has taken it in (its "Sending to …" notice), not at its commit.
        cut.WaitForAssertion(() => Assert.Contains("Sending to bob@example.com.", cut.Markup));

        await cut.InvokeAsync(() => keys.OnShortcut("z"));

        await Eventually.AssertAsync(async () =>
        {
            var stored = await queries.GetAsync(AccessScope.Organisation, inbox, draft.DraftId);
            Assert.Null(stored.ApprovedBy);
            Assert.Null(stored.SendAt);
        });
        cut.WaitForAssertion(() => Assert.Contains("Undone: the draft did not leave", cut.Markup));
    }

    [Fact]
    public void The_last_action_can_be_undone_once_and_only_within_its_window()
    {
        var clock = new FakeTimeProvider(Start);
        var last = new LastAction(clock);
        var undone = 0;
        last.Record("delete", TimeSpan.FromSeconds(5), () => { undone++; return Task.CompletedTask; });
        Assert.Equal("delete", last.Undoable);
        Assert.NotNull(last.Take());
        Assert.Null(last.Take());

        last.Record("approval", TimeSpan.FromSeconds(5), () => Task.CompletedTask);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(last.Undoable);
        Assert.Null(last.Take());
    }

    [Fact]
    public void The_help_lists_z()
    {
        Assert.Contains(KeyboardShortcuts.Queue, s => s.Keys == "z" && s.Does.Contains("undo", StringComparison.Ordinal));
    }
}
