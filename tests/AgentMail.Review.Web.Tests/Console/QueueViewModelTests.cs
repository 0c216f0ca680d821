using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Console;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Web.Tests.Console;

public sealed class QueueViewModelTests : ConsoleTestContext
{
    private QueueViewModel Model(int pageSize = 50) => new(Services.GetRequiredService<ReviewQueue>(), Services.GetRequiredService<SharedQueueReads>(), pageSize);

    private static DraftChange Change(DraftChangeKind kind, Draft draft) =>
        new(kind, draft.DraftId, draft.InboxId, draft.Version, draft.State, draft.SendAt, Agent, DateTime.UtcNow);

    private async Task<List<Draft>> CreateAsync(string inbox, params string[] subjects)
    {
        var drafts = new List<Draft>();
        foreach (var subject in subjects)
        {
            drafts.Add(await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = subject, To = ["bob@example.com"] }));
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        return drafts;
    }

    private static string[] Subjects(QueueViewModel model) => model.Rows.Select(r => r.Subject ?? "").ToArray();

    [Fact]
    public async Task Live_changes_update_rows_where_they_stand_and_hold_new_drafts_back()
    {
        var inbox = await CreateInboxAsync();
        var drafts = await CreateAsync(inbox, "a", "b", "c");
        var model = Model();
        await model.LoadAsync();
        Assert.Equal(["c", "b", "a"], Subjects(model));

        var edited = await Drafts.UpdateAsync(Agent, inbox, drafts[0].DraftId, new DraftPatch { Subject = "a, edited" });
        var created = await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "d" });
        await model.ApplyChangesAsync([Change(DraftChangeKind.Updated, edited), Change(DraftChangeKind.Created, created)]);

        Assert.Equal(["c", "b", "a, edited"], Subjects(model));
        Assert.Equal(1, model.WaitingCount);
        Assert.Contains(created.DraftId, model.NewIds);

        await model.ShowWaitingAsync();

        Assert.Equal(["d", "a, edited", "c", "b"], Subjects(model));
        Assert.Equal(0, model.WaitingCount);
    }

    [Fact]
    public async Task Consoles_on_the_same_page_share_one_read_after_a_change_and_a_later_change_is_read_again()
    {
        var inbox = await CreateInboxAsync();
        var drafts = await CreateAsync(inbox, "a", "b");
        var first = Model();
        var second = Model();
        await first.LoadAsync();
        await second.LoadAsync();

        var edited = await Drafts.UpdateAsync(Agent, inbox, drafts[0].DraftId, new DraftPatch { Subject = "a, edited" });
        await first.ApplyChangesAsync([Change(DraftChangeKind.Updated, edited)]);
        await second.ApplyChangesAsync([Change(DraftChangeKind.Updated, edited)]);

        Assert.Equal(["b", "a, edited"], Subjects(first));
        Assert.Equal(["b", "a, edited"], Subjects(second));
        // One read served both consoles: the same row, not two equal ones.
        Assert.Same(first.Rows[1], second.Rows[1]);

        // The clock has not moved, so only the change itself says that the read both were given is out of date.
        var again = await Drafts.UpdateAsync(Agent, inbox, drafts[1].DraftId, new DraftPatch { Subject = "b, edited" });
        await second.ApplyChangesAsync([Change(DraftChangeKind.Updated, again)]);

        Assert.Equal(["b, edited", "a, edited"], Subjects(second));
        Assert.Equal(["b", "a, edited"], Subjects(first));
    }

    [Fact]
    public async Task The_counts_follow_every_change_even_two_within_the_same_second()
    {
        var inbox = await CreateInboxAsync();
        var drafts = await CreateAsync(inbox, "a");
        var model = Model();
        await model.LoadAsync();
        Assert.Equal(1, model.Counts[DraftState.Pending]);

        var created = await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "b" });
        await model.ApplyChangesAsync([Change(DraftChangeKind.Created, created)]);
        Assert.Equal(2, model.Counts[DraftState.Pending]);

        await Drafts.DeleteAsync(Agent, inbox, drafts[0].DraftId, drafts[0].Version);
        await model.ApplyChangesAsync([Change(DraftChangeKind.Deleted, drafts[0])]);
        Assert.Equal(1, model.Counts[DraftState.Pending]);
    }

    [Fact]
    public async Task A_sent_or_deleted_draft_leaves_and_the_focus_goes_to_the_row_that_took_its_place()
    {
        var inbox = await CreateInboxAsync();
        var drafts = await CreateAsync(inbox, "a", "b", "c");
        var model = Model();
        await model.LoadAsync();
        model.Focus(drafts[1].DraftId);
        model.Selected.Add(drafts[1].DraftId);

        await Drafts.DeleteAsync(Agent, inbox, drafts[1].DraftId, drafts[1].Version);
        await model.ApplyChangesAsync([Change(DraftChangeKind.Deleted, drafts[1])]);

        Assert.Equal(["c", "a"], Subjects(model));
        Assert.Equal(drafts[0].DraftId, model.FocusedId);
        Assert.Empty(model.Selected);
    }

    [Fact]
    public async Task A_change_to_a_draft_off_this_page_touches_nothing()
    {
        var inbox = await CreateInboxAsync();
        var drafts = await CreateAsync(inbox, "apple", "banana", "cherry", "date");
        var model = Model(pageSize: 10);
        await model.SetFilterAsync(new QueueFilter { Text = "banana" });
        Assert.Equal(["banana"], Subjects(model));

        var edited = await Drafts.UpdateAsync(Agent, inbox, drafts[3].DraftId, new DraftPatch { Text = "still not matching" });
        await model.ApplyChangesAsync([Change(DraftChangeKind.Updated, edited)]);

        Assert.Equal(["banana"], Subjects(model));
        Assert.Equal(0, model.WaitingCount);
    }

    [Fact]
    public async Task An_empty_page_takes_new_drafts_in_at_once()
    {
        var inbox = await CreateInboxAsync();
        var model = Model();
        await model.LoadAsync();

        var created = await Drafts.CreateAsync(Agent, inbox, new NewDraft { Subject = "first" });
        await model.ApplyChangesAsync([Change(DraftChangeKind.Created, created)]);

        Assert.Equal(["first"], Subjects(model));
        Assert.Equal(0, model.WaitingCount);
    }

    [Fact]
    public async Task Moving_the_focus_stops_at_either_end_and_starts_at_the_top()
    {
        var inbox = await CreateInboxAsync();
        var drafts = await CreateAsync(inbox, "a", "b", "c");
        var model = Model();
        await model.LoadAsync();

        Assert.Equal(drafts[2].DraftId, model.MoveFocus(1));
        Assert.Equal(drafts[1].DraftId, model.MoveFocus(1));
        Assert.Equal(drafts[0].DraftId, model.MoveFocus(1));
        Assert.Equal(drafts[0].DraftId, model.MoveFocus(1));
        Assert.Equal(drafts[1].DraftId, model.MoveFocus(-1));
    }

    [Fact]
    public async Task Keyset_pages_go_forward_and_back()
    {
        var inbox = await CreateInboxAsync();
        await CreateAsync(inbox, Enumerable.Range(0, 25).Select(i => $"d{i:00}").ToArray());
        var model = Model(pageSize: 10);
        await model.LoadAsync();

        await model.NextPageAsync();
        await model.NextPageAsync();
        Assert.Equal(3, model.PageNumber);
        Assert.Equal(["d04", "d03", "d02", "d01", "d00"], Subjects(model));
        Assert.Null(model.Next);

        await model.PreviousPageAsync();
        Assert.Equal("d14", model.Rows[0].Subject);
    }

    [Fact]
    public void Filters_order_and_the_open_draft_survive_the_address()
    {
        var model = Model();
        model.ReadQueryString("?q=invoice&state=scheduled,failed&inbox=sales%40example.com&label=vip&due=60&sort=soonest&draft=dr_1");

        Assert.Equal("invoice", model.Filter.Text);
        Assert.Equal(new HashSet<DraftState> { DraftState.Scheduled, DraftState.Failed }, model.Filter.States);
        Assert.Equal("sales@example.com", model.Filter.InboxId);
        Assert.Equal("vip", model.Filter.Label);
        Assert.Equal(TimeSpan.FromHours(1), model.Filter.DueWithin);
        Assert.Equal(QueueSort.SendSoonest, model.Sort);
        Assert.Equal("dr_1", model.FocusedId);
        Assert.True(model.PaneOpen);

        var again = Model();
        again.ReadQueryString(model.ToQueryString());
        Assert.Equal(model.ToQueryString(), again.ToQueryString());
        Assert.Equal(model.Filter.States, again.Filter.States);

        var unreadable = Model();
        unreadable.ReadQueryString("?state=nonsense&due=soon&sort=sideways");
        Assert.Empty(unreadable.Filter.States);
        Assert.Null(unreadable.Filter.DueWithin);
        Assert.Equal(QueueSort.UpdatedNewest, unreadable.Sort);
        Assert.Equal("", unreadable.ToQueryString());
    }
}
