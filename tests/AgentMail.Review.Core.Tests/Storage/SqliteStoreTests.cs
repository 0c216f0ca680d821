using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Tests.Storage;

/// <summary>What only the SQLite store does: group commit in WAL mode, and its FTS5 index kept in step by triggers.</summary>
public sealed class SqliteStoreTests : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task A_store_in_wal_mode_commits_in_groups_and_every_connection_leaves_the_flush_to_them()
    {
        var settings = await _store.Services.MigrateReviewStoreAsync();

        Assert.Contains("journal_mode=wal, synchronous=normal", settings);
        Assert.True(_store.Get<Persistence.Sqlite.WalGroupCommit>().Active);
        await using var db = _store.OpenDb();
        await db.Database.OpenConnectionAsync();
        var synchronous = await db.Database.SqlQueryRaw<long>("SELECT synchronous AS Value FROM pragma_synchronous").SingleAsync();
        Assert.Equal(1, synchronous);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _store.Get<Persistence.Sqlite.WalGroupCommit>().FlushAsync()));
    }

    [Fact]
    public async Task A_deleted_draft_leaves_no_row_in_the_search_index()
    {
        var inbox = (await _store.CreateInboxAsync()).InboxId;
        var drafts = _store.Get<DraftsService>();
        var draft = await drafts.CreateAsync(TestActors.Agent, inbox, new NewDraft { Subject = "Draft about apples" });
        var edited = await drafts.UpdateAsync(TestActors.Agent, inbox, draft.DraftId, new DraftPatch { Subject = "Draft about pears" });

        await drafts.DeleteAsync(TestActors.Agent, inbox, draft.DraftId, edited.Version);

        await using var db = _store.OpenDb();
        Assert.Equal(0, await db.Database.SqlQueryRaw<int>("SELECT count(*) AS Value FROM drafts_search").SingleAsync());
    }

    [Fact]
    public async Task A_list_column_changed_in_place_is_saved_and_one_left_alone_is_not_written()
    {
        var inbox = (await _store.CreateInboxAsync()).InboxId;
        var draft = await _store.Get<DraftsService>().CreateAsync(TestActors.Agent, inbox, new NewDraft { To = ["bob@example.com"], Labels = ["vip"] });

        await using (var db = _store.OpenDb())
        {
            var tracked = await db.Drafts.SingleAsync(d => d.DraftId == draft.DraftId);
            Assert.Equal(0, await db.SaveChangesAsync());
            tracked.Labels.Add("urgent");
            tracked.To[0] = "carol@example.com";
            Assert.Equal(1, await db.SaveChangesAsync());
        }

        await using var reread = _store.OpenDb();
        var stored = await reread.Drafts.AsNoTracking().SingleAsync(d => d.DraftId == draft.DraftId);
        Assert.Equal(["vip", "urgent"], stored.Labels);
        Assert.Equal(["carol@example.com"], stored.To);
    }
}
