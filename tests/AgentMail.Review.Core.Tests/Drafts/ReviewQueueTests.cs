using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Tests.Drafts;

public sealed class ReviewQueueTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private string _inbox = null!;

    private ReviewQueue Queue => _store.Get<ReviewQueue>();

    private DraftsService Drafts => _store.Get<DraftsService>();

    private DateTime Now => _store.Clock.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        _inbox = (await _store.CreateInboxAsync()).InboxId;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private async Task<string[]> Subjects(QueueFilter filter, QueueSort sort = QueueSort.UpdatedNewest) =>
        (await Queue.PageAsync(filter, sort, 50, null)).Rows.Select(r => r.Subject!).ToArray();

    [Fact]
    public async Task Text_matches_subject_preview_and_recipients_only()
    {
        await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = "Invoice 42", To = ["carol@example.com"], Text = "amounts due" });
        _store.Clock.Advance(TimeSpan.FromSeconds(1));
        await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = "Hello", To = ["dave@example.com"], Text = "a greeting" });

        Assert.Equal(["Hello"], await Subjects(new QueueFilter { Text = "dave@" }));
        Assert.Equal(["Invoice 42"], await Subjects(new QueueFilter { Text = "invoice" }));
        Assert.Equal(["Invoice 42"], await Subjects(new QueueFilter { Text = "amounts" }));
        Assert.Empty(await Subjects(new QueueFilter { Text = "100%" }));
    }

    [Fact]
    public async Task Search_finds_every_typed_word_as_the_start_of_a_word_in_subject_body_recipients_or_labels()
    {
        await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = "Renewal quote", To = ["ana.lopez@acme.example"], Text = "Pricing for 2027 attached", Labels = ["enterprise"] });
        _store.Clock.Advance(TimeSpan.FromSeconds(1));
        await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = "Café opening", Bcc = ["board@acme.example"], Text = "Doors at nine" });

        Assert.Equal(["Renewal quote"], await Subjects(new QueueFilter { Text = "pric 2027" }));
        Assert.Equal(["Renewal quote"], await Subjects(new QueueFilter { Text = "lopez" }));
        Assert.Equal(["Renewal quote"], await Subjects(new QueueFilter { Text = "enterprise" }));
        Assert.Equal(["Café opening"], await Subjects(new QueueFilter { Text = "cafe board" }));
        Assert.Equal(["Café opening", "Renewal quote"], await Subjects(new QueueFilter { Text = "acme" }));
        Assert.Empty(await Subjects(new QueueFilter { Text = "renewal nine" }));
        Assert.Empty(await Subjects(new QueueFilter { Text = "enewal" }));
    }

    [Fact]
    public async Task Search_follows_edits_and_deletions_at_once()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = "Draft about apples", Text = "orchard" });
        Assert.Equal(["Draft about apples"], await Subjects(new QueueFilter { Text = "apples" }));

        var edited = await Drafts.UpdateAsync(TestActors.Agent, _inbox, draft.DraftId, new DraftPatch { Subject = "Draft about pears", AddLabels = ["fruit"] });

        Assert.Empty(await Subjects(new QueueFilter { Text = "apples" }));
        Assert.Equal(["Draft about pears"], await Subjects(new QueueFilter { Text = "pears orchard fruit" }));
        await Drafts.DeleteAsync(TestActors.Agent, _inbox, draft.DraftId, edited.Version);
        Assert.Empty(await Subjects(new QueueFilter { Text = "pears" }));
    }

    [Theory]
    [InlineData("\"subject\" : NEAR(a b)")]
    [InlineData("OR AND NOT *")]
    [InlineData("{labels} : x^")]
    [InlineData("'; DROP TABLE drafts; --")]
    public async Task Search_text_is_words_never_query_syntax(string typed)
    {
        await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = "ordinary" });

        var rows = await Subjects(new QueueFilter { Text = typed });

        Assert.DoesNotContain("ordinary", rows);
        Assert.Equal(["ordinary"], await Subjects(new QueueFilter { Text = "ordinary" }));
    }

    [Fact]
    public async Task State_label_inbox_and_due_within_filter_in_the_store()
    {
        var other = (await _store.CreateInboxAsync("other")).InboxId;
        await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = "soon", SendAt = Now.AddMinutes(30), Labels = ["vip"] });
        await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = "tomorrow", SendAt = Now.AddDays(1) });
        await Drafts.CreateAsync(TestActors.Agent, other, new NewDraft { Subject = "elsewhere" });

        Assert.Equal(["tomorrow", "soon"], await Subjects(new QueueFilter { States = new HashSet<DraftState> { DraftState.Scheduled } }));
        Assert.Equal(["soon"], await Subjects(new QueueFilter { Label = "vip" }));
        Assert.Equal(["elsewhere"], await Subjects(new QueueFilter { InboxId = other }));
        Assert.Equal(["soon"], await Subjects(new QueueFilter { DueWithin = TimeSpan.FromHours(1) }));
        Assert.Equal(["soon", "tomorrow"], await Subjects(new QueueFilter(), QueueSort.SendSoonest));

        var counts = (await Queue.CountsAsync()).ByState;
        Assert.Equal(2, counts[DraftState.Scheduled]);
        Assert.Equal(1, counts[DraftState.Pending]);
    }

    [Fact]
    public async Task A_draft_whose_send_failed_neither_shows_nor_filters_as_scheduled()
    {
        var drafts = _store.Get<DraftsService>();
        var inHour = _store.Clock.GetUtcNow().UtcDateTime.AddHours(1);
        await drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = "waiting", To = ["a@example.com"], SendAt = inHour });
        var failing = await drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = "bounced", To = ["b@example.com"], SendAt = inHour });
        var claimed = await drafts.ClaimForSendingAsync(Common.Actor.System, failing.DraftId, failing.Version, "test");
        await drafts.MarkFailedAsync(Common.Actor.System, claimed!, "mailbox unavailable");

        Assert.Equal(["waiting"], await Subjects(new QueueFilter { Label = Draft.ScheduledLabel }));
        var row = await Queue.RowAsync(failing.DraftId);
        Assert.DoesNotContain(Draft.ScheduledLabel, row!.Labels);
    }

    [Fact]
    public async Task Pages_follow_each_other_without_gaps_or_repeats_in_every_order()
    {
        for (var i = 0; i < 23; i++)
        {
            await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = $"d{i}", SendAt = Now.AddMinutes(100 - (i % 5)) });
        }

        foreach (var sort in Enum.GetValues<QueueSort>())
        {
            var seen = new List<string>();
            QueueCursor? cursor = null;
            do
            {
                var page = await Queue.PageAsync(new QueueFilter(), sort, 5, cursor);
                seen.AddRange(page.Rows.Select(r => r.DraftId));
                cursor = page.Next;
            }
            while (cursor is not null);

            Assert.Equal(23, seen.Distinct().Count());
            Assert.Equal(23, seen.Count);
        }
    }

    [Fact]
    public async Task A_due_draft_held_for_review_is_marked_awaiting_approval_until_approved()
    {
        await _store.Get<AgentMail.Review.Core.Inboxes.InboxService>().SetReviewRequiredAsync(_inbox, true);
        var held = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"], Subject = "held", SendAt = Now.AddMinutes(1) });
        await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = "not yet due", SendAt = Now.AddHours(1) });
        _store.Clock.Advance(TimeSpan.FromMinutes(2));

        var rows = (await Queue.PageAsync(new QueueFilter(), QueueSort.SendSoonest, 50, null)).Rows;
        Assert.True(rows.Single(r => r.Subject == "held").AwaitingApproval);
        Assert.False(rows.Single(r => r.Subject == "not yet due").AwaitingApproval);

        await Drafts.ApproveAsync(TestActors.Supervisor, _inbox, held.DraftId, held.Version, Now.AddSeconds(5));
        Assert.False((await Queue.RowAsync(held.DraftId))!.AwaitingApproval);
    }

    [Fact]
    public async Task Awaiting_approval_is_one_rule_for_the_filter_the_count_and_the_rows_flag()
    {
        var reviewed = (await _store.CreateInboxAsync("reviewed")).InboxId;
        var open = (await _store.CreateInboxAsync("open")).InboxId;
        var inboxes = _store.Get<Inboxes.InboxService>();
        await inboxes.SetReviewRequiredAsync(reviewed, true);
        await inboxes.SetReviewRequiredAsync(open, false);
        await Drafts.CreateAsync(TestActors.Agent, reviewed, new NewDraft { Subject = "due, held", To = ["a@example.com"], SendAt = Now.AddMinutes(1) });
        await Drafts.CreateAsync(TestActors.Agent, open, new NewDraft { Subject = "due, may leave alone", To = ["a@example.com"], SendAt = Now.AddMinutes(1) });
        await Drafts.CreateAsync(TestActors.NonSendingAgent, open, new NewDraft { Subject = "due, key may not send", To = ["a@example.com"], SendAt = Now.AddMinutes(1) });
        await Drafts.CreateAsync(TestActors.Agent, reviewed, new NewDraft { Subject = "not due yet", To = ["a@example.com"], SendAt = Now.AddHours(3) });
        await Drafts.CreateAsync(TestActors.Agent, reviewed, new NewDraft { Subject = "pending", To = ["a@example.com"] });
        _store.Clock.Advance(TimeSpan.FromMinutes(2));

        var awaiting = await Subjects(new QueueFilter { AwaitingApproval = true });
        var rows = (await Queue.PageAsync(new QueueFilter(), QueueSort.UpdatedNewest, 50, null)).Rows;
        await using var db = _store.OpenDb();
        var byRule = new List<string>();
        foreach (var draft in db.Drafts.ToList())
        {
            var inbox = db.Inboxes.Single(i => i.InboxId == draft.InboxId);
            if (ReviewRules.IsDueAwaitingApproval(draft, inbox, Now))
            {
                byRule.Add(draft.Subject!);
            }
        }

        Assert.Equal(["due, held", "due, key may not send"], awaiting.Order());
        Assert.Equal(awaiting.Order(), byRule.Order());
        Assert.Equal(awaiting.Order(), rows.Where(r => r.AwaitingApproval).Select(r => r.Subject!).Order());
        Assert.Equal(2, (await Queue.CountsAsync()).AwaitingApproval);
    }
}
