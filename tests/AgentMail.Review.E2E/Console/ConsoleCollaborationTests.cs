using AgentMail.Review.E2E.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgentMail.Review.E2E.Console;

/// <summary>Two supervisors in two browsers on one draft, and z.</summary>
[Collection(TestStreams.Browser)]
public sealed class ConsoleCollaborationTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    private const string Supervisor = "supervisor@example.com";
    private const string Admin = "admin@example.com";

    [Fact]
    public async Task Each_supervisor_sees_who_else_is_viewing_or_editing_a_draft_live()
    {
        var inbox = await browser.CreateInboxAsync();
        var subject = $"presence {Guid.NewGuid():N}"[..20];
        await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject });
        var ana = await browser.SignInAsync(Supervisor);
        var bo = await browser.SignInAsync(Admin);
        await ConsoleBrowser.ShowInboxAsync(ana, inbox);
        await ConsoleBrowser.ShowInboxAsync(bo, inbox);

        var anaPane = await ConsoleBrowser.OpenAsync(ana, subject);

        await Expect(ConsoleBrowser.Row(bo, subject).GetByTestId("row-presence")).ToHaveTextAsync($"{Supervisor} is viewing");
        await anaPane.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var boPane = await ConsoleBrowser.OpenAsync(bo, subject);
        await Expect(boPane.GetByTestId("pane-presence")).ToHaveTextAsync($"{Supervisor} is editing");
        // And the other way round: Ana sees Bo reading.
        await Expect(anaPane.GetByTestId("pane-presence")).ToHaveTextAsync($"{Admin} is viewing");

        await ana.Context.CloseAsync();

        // A closed tab ends its circuit, and with it its presence.
        await Expect(boPane.GetByTestId("pane-presence")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Expect(ConsoleBrowser.Row(bo, subject).GetByTestId("row-presence")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_save_after_someone_else_saved_shows_both_versions_and_keep_mine_saves_mine()
    {
        var inbox = await browser.CreateInboxAsync();
        var subject = $"conflict {Guid.NewGuid():N}"[..20];
        var draft = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject, text = "agent's body" });
        var draftId = draft["draft_id"]!.GetValue<string>();
        var ana = await browser.SignInAsync(Supervisor);
        var bo = await browser.SignInAsync(Admin);
        await ConsoleBrowser.ShowInboxAsync(ana, inbox);
        await ConsoleBrowser.ShowInboxAsync(bo, inbox);

        await (await ConsoleBrowser.OpenAsync(ana, subject)).GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var anaEditor = ana.GetByTestId("draft-editor");
        await anaEditor.GetByLabel("Text", new() { Exact = true }).FillAsync("Ana's careful rewrite");

        await (await ConsoleBrowser.OpenAsync(bo, subject)).GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var boEditor = bo.GetByTestId("draft-editor");
        await boEditor.GetByLabel("Text", new() { Exact = true }).FillAsync("Bo's quick fix");
        await boEditor.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(boEditor).ToHaveCountAsync(0);

        // Said at once in Ana's editor, her typing untouched.
        await Expect(anaEditor.GetByTestId("changed-underneath")).ToContainTextAsync($"{Admin} changed this draft while you were editing");
        await Expect(anaEditor.GetByLabel("Text", new() { Exact = true })).ToHaveValueAsync("Ana's careful rewrite");

        await anaEditor.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        var compare = anaEditor.GetByTestId("edit-compare");
        var text = compare.Locator("[data-testid=compare-field][data-field=Text]");
        await Expect(text.GetByTestId("compare-mine")).ToHaveTextAsync("Ana's careful rewrite");
        await Expect(text.GetByTestId("compare-theirs")).ToHaveTextAsync("Bo's quick fix");
        Assert.Equal("Bo's quick fix", (await ConsoleBrowser.ReadAsync(await browser.GetDraftAsync(inbox, draftId)))["text"]!.GetValue<string>());

        await compare.GetByRole(AriaRole.Button, new() { Name = "Keep mine" }).ClickAsync();

        await Expect(anaEditor).ToHaveCountAsync(0);
        Assert.Equal("Ana's careful rewrite", (await ConsoleBrowser.ReadAsync(await browser.GetDraftAsync(inbox, draftId)))["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_approval_in_another_console_is_said_at_once_in_the_open_editor()
    {
        var inbox = await browser.CreateInboxAsync();
        var subject = $"approved {Guid.NewGuid():N}"[..20];
        await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject });
        var ana = await browser.SignInAsync(Supervisor);
        var bo = await browser.SignInAsync(Admin);
        await ConsoleBrowser.ShowInboxAsync(ana, inbox);
        await ConsoleBrowser.ShowInboxAsync(bo, inbox);
        await (await ConsoleBrowser.OpenAsync(ana, subject)).GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var anaEditor = ana.GetByTestId("draft-editor");
        await anaEditor.GetByLabel("Subject").FillAsync("still thinking");

        await (await ConsoleBrowser.OpenAsync(bo, subject)).GetByRole(AriaRole.Button, new() { Name = "Approve and send" }).ClickAsync();
        await bo.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();

        await Expect(anaEditor.GetByTestId("changed-underneath")).ToContainTextAsync($"{Admin} approved this draft for sending while you were editing");
        await Expect(anaEditor.GetByLabel("Subject")).ToHaveValueAsync("still thinking");
        // Once it has left, the editor says so too, and the text is still there to copy.
        await Expect(anaEditor.GetByTestId("changed-underneath")).ToContainTextAsync("This draft was sent while you were editing", new() { Timeout = 20_000 });
        await Expect(anaEditor.GetByLabel("Subject")).ToHaveValueAsync("still thinking");
    }

    [Fact]
    public async Task Z_undoes_a_delete_from_the_keyboard()
    {
        var inbox = await browser.CreateInboxAsync();
        var subject = $"z {Guid.NewGuid():N}"[..14];
        var draft = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject });
        var page = await browser.SignInAsync(Supervisor);
        await ConsoleBrowser.ShowInboxAsync(page, inbox);
        await ConsoleBrowser.OpenAsync(page, subject);

        await page.Keyboard.PressAsync("#");
        await Expect(ConsoleBrowser.Row(page, subject).GetByTestId("deleting")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("z");

        await Expect(page.GetByText("Kept: the draft was not deleted.")).ToBeVisibleAsync();
        await Expect(ConsoleBrowser.Row(page, subject).GetByTestId("deleting")).ToHaveCountAsync(0);
        // The help lists it.
        await page.Keyboard.PressAsync("?");
        await Expect(page.GetByTestId("shortcut-help")).ToContainTextAsync("undo the last approve or delete");
        await page.GetByTestId("help-close").ClickAsync();
        // Well past the undo window (2 s here), the draft is still there.
        await Expect(page.GetByTestId("shortcut-help")).ToHaveCountAsync(0);
        await page.WaitForTimeoutAsync(2_500);
        Assert.True((await browser.GetDraftAsync(inbox, draft["draft_id"]!.GetValue<string>())).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Delete_all_matching_the_filter_takes_every_page_as_a_job_with_its_progress_in_the_queue()
    {
        var inbox = await browser.CreateInboxAsync();
        var ids = new List<string>();
        for (var i = 0; i < 55; i++)
        {
            ids.Add((await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = $"mass {i:00}" }))["draft_id"]!.GetValue<string>());
        }

        var page = await browser.SignInAsync(Supervisor);
        await ConsoleBrowser.ShowInboxAsync(page, inbox);
        await Expect(page.GetByTestId("queue-row")).ToHaveCountAsync(50);

        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Select all on this page" }).CheckAsync();
        var bar = page.GetByTestId("bulk-bar");
        await bar.GetByRole(AriaRole.Button, new() { Name = "Select all 55 matching the filter" }).ClickAsync();
        await Expect(bar.GetByTestId("all-matching")).ToHaveTextAsync("All 55 drafts matching the filter are selected");
        await bar.GetByRole(AriaRole.Button, new() { Name = "Delete selected" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Dialog);
        await Expect(confirm).ToContainTextAsync("All 55 drafts matching the filter will be deleted");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();

        await Expect(page.GetByTestId("bulk-progress-text")).ToHaveTextAsync("Done: 55 of 55 deleted.", new() { Timeout = 60_000 });
        await Expect(page.GetByTestId("queue-row")).ToHaveCountAsync(0);
        // The drafts on the second page went too.
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await browser.GetDraftAsync(inbox, ids[0])).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await browser.GetDraftAsync(inbox, ids[^1])).StatusCode);
    }
}
