using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Components.Drafts;
using AgentMail.Review.Web.Tests.Support;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Web.Tests.Console;

public sealed class DraftEditorTests : ConsoleTestContext
{
    [Fact]
    public async Task Saving_shows_the_drafts_service_validation_message_under_the_field()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "hi" });
        var cut = Render<DraftEditor>(p => p
            .Add(e => e.Draft, draft)
            .Add(e => e.Save, patch => Drafts.UpdateAsync(Agent, inbox, draft.DraftId, patch)));

        var to = cut.FindAll("input").First();
        to.Input("not an address");
        to.KeyDown("Enter");
        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();

        cut.WaitForAssertion(() => Assert.Contains("\"not an address\" is not a valid email address", cut.Markup));
        var stored = await Services.GetRequiredService<DraftQueries>().GetAsync(AccessScope.Organisation, inbox, draft.DraftId);
        Assert.Equal(["bob@example.com"], stored.To);
    }

    [Fact]
    public async Task A_valid_edit_is_saved_through_the_drafts_service()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "hi" });
        var cut = Render<DraftEditor>(p => p
            .Add(e => e.Draft, draft)
            .Add(e => e.Save, patch => Drafts.UpdateAsync(Agent, inbox, draft.DraftId, patch with { ExpectedVersion = draft.Version })));

        cut.FindAll("input").Single(i => i.GetAttribute("value") == "hi").Input("Quarterly numbers");
        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();

        await Eventually.AssertAsync(async () =>
        {
            var stored = await Services.GetRequiredService<DraftQueries>().GetAsync(AccessScope.Organisation, inbox, draft.DraftId);
            Assert.Equal("Quarterly numbers", stored.Subject);
        });
    }

    [Fact]
    public async Task A_save_refused_for_a_full_disk_shows_why_and_keeps_the_edits()
    {
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var draft = await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = "hi" });
        var cut = Render<DraftEditor>(p => p
            .Add(e => e.Draft, draft)
            .Add(e => e.Save, _ => throw new StorageFullException()));

        cut.FindAll("input").Single(i => i.GetAttribute("value") == "hi").Input("Quarterly numbers");
        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Save").Click();

        cut.WaitForAssertion(() => Assert.StartsWith("storage full: ", cut.Find("[data-testid=save-failed]").TextContent.Trim(), StringComparison.Ordinal));
        Assert.Contains(cut.FindAll("input"), i => i.GetAttribute("value") == "Quarterly numbers");
    }
}
