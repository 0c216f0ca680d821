using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Components.Pages;
using AgentMail.Review.Web.Console;
using AgentMail.Review.Web.Tests.Support;
using Bunit;
using Bunit.Rendering;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AgentMail.Review.Web.Tests.Console;

/// <summary>"Select all N matching the filter", and the bulk job that acts on them one by one at their versions.</summary>
public sealed class BulkOperationTests : ConsoleTestContext
{
    private static readonly Actor Supervisor = Actor.Person("sup", "supervisor@example.com", "127.0.0.1");

    private string EnqueuedOperation() =>
        Services.GetRequiredService<JobStorage>().GetMonitoringApi().EnqueuedJobs("default", 0, 50)
            .Select(j => j.Value.Job).Single(j => j.Type == typeof(BulkOperationJob)).Args[0]!.ToString()!;

    [Fact]
    public async Task A_draft_changed_after_it_was_selected_is_skipped_and_reported_not_overwritten()
    {
        var inbox = await CreateInboxAsync();
        var drafts = new List<Draft>();
        for (var i = 0; i < 3; i++)
        {
            drafts.Add(await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = $"bulk {i}" }));
        }

        var bulk = Services.GetRequiredService<BulkOperations>();
        var started = await bulk.StartAsync(Supervisor, BulkKind.Delete, new QueueFilter { InboxId = inbox }, TimeSpan.Zero);
        Assert.Equal(3, started.Total);
        Assert.False(started.Finished);
        // The agent rewrites one after the supervisor chose "delete all".
        await Drafts.UpdateAsync(Agent, inbox, drafts[1].DraftId, new DraftPatch { Subject = "rewritten" });

        await Services.GetRequiredService<BulkOperationJob>().RunAsync(started.OperationId);

        var done = bulk.Progress(started.OperationId);
        Assert.True(done.Finished);
        Assert.Equal((3, 2, 1, 0), (done.Done, done.Succeeded, done.Skipped, done.Failed));
        Assert.Contains(done.Notes, n => n.StartsWith(drafts[1].DraftId, StringComparison.Ordinal) && n.Contains("changed after it was selected", StringComparison.Ordinal));
        var queries = Services.GetRequiredService<DraftQueries>();
        Assert.Equal("rewritten", (await queries.GetAsync(AccessScope.Organisation, inbox, drafts[1].DraftId)).Subject);
        await Assert.ThrowsAsync<NotFoundException>(() => queries.GetAsync(AccessScope.Organisation, inbox, drafts[0].DraftId));
        Assert.Equal("Done: 2 of 3 deleted, 1 skipped (changed after you selected it).", BulkText.Describe(done));
    }

    [Fact]
    public async Task Select_all_matching_takes_every_page_and_the_console_shows_the_jobs_progress()
    {
        Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ConsoleOptions>>().Value.PageSize = 10;
        SignInAsSupervisor();
        var inbox = await CreateInboxAsync();
        var other = await CreateInboxAsync("support");
        for (var i = 0; i < 12; i++)
        {
            await Drafts.CreateAsync(Agent, inbox, new NewDraft { To = ["bob@example.com"], Subject = $"many {i}" });
        }

        var elsewhere = await Drafts.CreateAsync(Agent, other, new NewDraft { To = ["bob@example.com"], Subject = "not in the filter" });
        // Narrowed to one inbox, as the filter the supervisor chose.
        Navigate($"/?inbox={inbox}");
        var cut = RenderQueue();
        cut.WaitForAssertion(() => Assert.Equal(10, cut.FindAll("[data-testid=queue-row]").Count));

        cut.Find("input[aria-label='Select all on this page']").Change(true);
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("button"), b => b.TextContent.Trim() == "Select all 12 matching the filter"));
        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Select all 12 matching the filter").Click();
        cut.WaitForAssertion(() => Assert.Contains("All 12 drafts matching the filter are selected", cut.Find("[data-testid=bulk-bar]").TextContent));
        cut.FindAll("[data-testid=bulk-bar] button").Single(b => b.TextContent.Trim() == "Delete selected").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=bulk-confirm]").Click());
        cut.WaitForAssertion(() => Assert.Contains("Deleting 12 drafts: 0 of 12 done", cut.Find("[data-testid=bulk-progress-text]").TextContent));

        await Services.GetRequiredService<BulkOperationJob>().RunAsync(EnqueuedOperation());
        Clock.Advance(TimeSpan.FromSeconds(1));

        cut.WaitForAssertion(() => Assert.Equal("Done: 12 of 12 deleted.", cut.Find("[data-testid=bulk-progress-text]").TextContent.Trim()));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=queue-row]")));
        Assert.Equal("not in the filter", (await Services.GetRequiredService<DraftQueries>().GetAsync(AccessScope.Organisation, other, elsewhere.DraftId)).Subject);
    }

    private void Navigate(string uri) => Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo(uri);
}
