using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Components.Drafts;
using AgentMail.Review.Web.Tests.Support;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Web.Tests.Console;

public sealed class LabelSuggestionTests : ConsoleTestContext
{
    [Fact]
    public async Task The_labels_in_use_are_offered_once_each_in_order_without_the_ones_the_draft_has()
    {
        var inbox = await CreateInboxAsync();
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "a", Labels = ["vip", "billing"] });
        await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "b", Labels = ["vip"], SendAt = Clock.GetUtcNow().UtcDateTime.AddHours(1) });

        var inUse = await Services.GetRequiredService<ReviewQueue>().LabelsInUseAsync();
        Assert.Equal(["billing", "vip"], inUse);

        var cut = Render<LabelEditor>(p => p.Add(e => e.Labels, ["vip"]).Add(e => e.CanEdit, true).Add(e => e.Suggestions, inUse));

        Assert.Equal(["billing"], cut.FindAll("[data-testid=label-suggestions] option").Select(o => o.GetAttribute("value")));
        Assert.Equal("review-label-suggestions", cut.Find("[data-testid=label-input]").GetAttribute("list"));
    }
}
