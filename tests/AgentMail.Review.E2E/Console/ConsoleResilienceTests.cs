using AgentMail.Review.E2E.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgentMail.Review.E2E.Console;

/// <summary>A server restart under an open editor: the page comes back by itself and the typing is offered back.</summary>
[Collection(TestStreams.Browser)]
public sealed class ConsoleResilienceTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    [Fact]
    public async Task An_edit_in_progress_survives_a_server_restart_and_is_restored_on_request()
    {
        var inbox = await browser.CreateInboxAsync();
        var subject = $"restart {Guid.NewGuid():N}"[..18];
        var draft = await browser.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject, text = "agent's words" });
        var draftId = draft["draft_id"]!.GetValue<string>();
        var page = await browser.SignInAsync("supervisor@example.com");
        await ConsoleBrowser.ShowInboxAsync(page, inbox);
        await (await ConsoleBrowser.OpenAsync(page, subject)).GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var editor = page.GetByTestId("draft-editor");
        await editor.GetByLabel("Text", new() { Exact = true }).FillAsync("Half of a careful reply");
        // Kept in the browser as it is typed.
        await Expect(editor.GetByLabel("Text", new() { Exact = true })).ToHaveValueAsync("Half of a careful reply");
        await page.WaitForFunctionAsync($"() => (localStorage.getItem('review.edit.{draftId}') || '').includes('Half of a careful reply')");

        await browser.RestartServerAsync();

        // Nobody clicks anything: the ended session reloads the page, which opens the same draft from its address.
        await Expect(page.GetByTestId("draft-editor")).ToHaveCountAsync(0, new() { Timeout = 60_000 });
        await ConsoleBrowser.KeysReadyAsync(page);
        var pane = ConsoleBrowser.Pane(page);
        await Expect(pane.GetByTestId("pane-subject")).ToHaveTextAsync(subject, new() { Timeout = 30_000 });
        await pane.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();

        var offer = page.GetByTestId("restore-offer");
        await Expect(offer).ToBeVisibleAsync();
        await Expect(editor.GetByLabel("Text", new() { Exact = true })).ToHaveValueAsync("agent's words");
        await offer.GetByRole(AriaRole.Button, new() { Name = "Restore your unsaved edit" }).ClickAsync();
        await Expect(editor.GetByLabel("Text", new() { Exact = true })).ToHaveValueAsync("Half of a careful reply");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(editor).ToHaveCountAsync(0);
        Assert.Equal("Half of a careful reply", (await ConsoleBrowser.ReadAsync(await browser.GetDraftAsync(inbox, draftId)))["text"]!.GetValue<string>());
        // Saved: nothing is kept any more.
        Assert.Null(await page.EvaluateAsync<string?>($"() => localStorage.getItem('review.edit.{draftId}')"));
    }
}
