using AgentMail.Review.Core.ApiKeys;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Inboxes;
using AgentMail.Review.Core.Persistence;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace AgentMail.Review.Core.Tests.Storage;

/// <summary>The services on a store whose disk really fills up (a small tmpfs), and empties again.</summary>
public sealed class StorageFullTests(ITestOutputHelper output)
{
    private static readonly string Big = new('x', 1024 * 1024);

    [Fact]
    public async Task Full_disk_refuses_writes_whole_as_StorageFullException_and_they_work_again_once_space_is_freed()
    {
        // Room, once the filler is gone, for a 1 MiB draft: its row, its full-text index entry and both again in the
        // write-ahead log until a checkpoint, several MiB together.
        using var disk = TmpfsFolder.Mount(sizeKiB: 16 * 1024);
        await using var store = await TestStore.CreateInAsync(disk.Path);
        var inbox = await store.CreateInboxAsync();
        var drafts = store.Get<DraftsService>();
        var health = store.Get<StoreWriteHealth>();
        var key = await store.Get<ApiKeyService>().CreateAsync("agent", [], canSend: true);
        await drafts.CreateAsync(TestActors.Agent, inbox.InboxId, new NewDraft { To = ["bob@example.net"], Subject = "before" });
        Assert.True(health.Check().Writable);

        var filled = disk.Fill("filler");
        output.WriteLine($"filler took {filled} bytes; {disk.FreeBytes} left");

        // The write-ahead log may still have room from earlier writes; large drafts use it up.
        var (createdWhileFull, refused) = await CreateUntilRefusedAsync(drafts, inbox.InboxId, "while full");
        output.WriteLine($"{createdWhileFull} large drafts went in before one was refused: {refused.Message}");

        Assert.StartsWith("storage full: ", refused.Message, StringComparison.Ordinal);
        var status = health.Check();
        Assert.False(status.Writable, status.Description);
        // An inbox create meeting the full disk is storage full, not "already exists" (its unique-key catch).
        var inboxes = store.Get<InboxService>();
        StorageFullException? inboxRefused = null;
        for (var i = 0; i < 5000 && inboxRefused is null; i++)
        {
            try
            {
                await inboxes.CreateAsync(new NewInbox($"small{i}", "example.com", null, null));
            }
            catch (StorageFullException e)
            {
                inboxRefused = e;
            }
        }

        Assert.NotNull(inboxRefused);
        // Stamping the key's last use is a write too; authentication does not depend on it.
        Assert.NotNull(await store.Get<ApiKeyService>().AuthenticateAsync(key.Secret));

        File.Delete(Path.Combine(disk.Path, "filler"));

        await using (var db = store.OpenDb())
        {
            // Checked once there is room again. Nothing half-written: the refused draft is not there, and no audit entry names a draft that is not.
            Assert.Equal(1 + createdWhileFull, await db.Drafts.CountAsync());
            Assert.False(await db.Drafts.AnyAsync(d => d.Subject == $"while full {createdWhileFull}"));
            Assert.Empty(await db.AuditEntries.Where(a => !db.Drafts.Any(d => d.DraftId == a.DraftId)).ToListAsync());
        }

        status = health.Check();
        Assert.True(status.Writable, status.Description);
        output.WriteLine(status.Description);
        var after = await drafts.CreateAsync(TestActors.Agent, inbox.InboxId, new NewDraft { To = ["bob@example.net"], Subject = "after", Text = Big });
        await inboxes.CreateAsync(new NewInbox("after", "example.com", null, null));
        await using (var db = store.OpenDb())
        {
            Assert.True(await db.Drafts.AnyAsync(d => d.DraftId == after.DraftId));
        }
    }

    [Fact]
    public async Task A_write_that_commits_after_a_full_disk_marks_the_store_writable_without_waiting_for_free_space()
    {
        using var disk = TmpfsFolder.Mount(sizeKiB: 6 * 1024);
        await using var store = await TestStore.CreateInAsync(disk.Path);
        var inbox = await store.CreateInboxAsync();
        var drafts = store.Get<DraftsService>();
        var health = store.Get<StoreWriteHealth>();
        disk.Fill("filler");
        await CreateUntilRefusedAsync(drafts, inbox.InboxId, "while full");
        Assert.False(health.Check().Writable);

        // Less than the recovery margin freed: the free-space probe alone would still say full.
        var filler = Path.Combine(disk.Path, "filler");
        using (var handle = File.OpenHandle(filler, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(handle, RandomAccess.GetLength(handle) - 256 * 1024);
        }

        Assert.InRange(disk.FreeBytes, 1, StoreWriteHealth.RecoveryFreeBytes - 1);
        Assert.False(health.Check().Writable);
        await drafts.CreateAsync(TestActors.Agent, inbox.InboxId, new NewDraft { To = ["bob@example.net"], Subject = "small" });

        Assert.True(health.Check().Writable);
    }

    [Fact]
    public async Task A_full_disk_after_the_pool_has_closed_every_idle_connection_still_answers_reads_and_refuses_writes_as_storage_full()
    {
        using var disk = TmpfsFolder.Mount(sizeKiB: 16 * 1024);
        await using var store = await TestStore.CreateInAsync(disk.Path);
        var inbox = await store.CreateInboxAsync();
        var drafts = store.Get<DraftsService>();
        var key = await store.Get<ApiKeyService>().CreateAsync("agent", [], canSend: true);
        var before = await drafts.CreateAsync(TestActors.Agent, inbox.InboxId, new NewDraft { To = ["bob@example.net"], Subject = "before" });

        // What the pool does to connections left idle for a few minutes, and what clearing the pools does at once.
        SqliteConnection.ClearAllPools();
        disk.Fill("filler");

        Assert.NotNull(await store.Get<ApiKeyService>().AuthenticateAsync(key.Secret));
        await using (var db = store.OpenDb())
        {
            Assert.Equal("before", (await db.Drafts.SingleAsync(d => d.DraftId == before.DraftId)).Subject);
        }

        var (_, refused) = await CreateUntilRefusedAsync(drafts, inbox.InboxId, "while full");
        Assert.StartsWith("storage full: ", refused.Message, StringComparison.Ordinal);
    }

    private static async Task<(int Created, StorageFullException Refused)> CreateUntilRefusedAsync(DraftsService drafts, string inboxId, string subject)
    {
        for (var i = 0; i < 30; i++)
        {
            try
            {
                await drafts.CreateAsync(TestActors.Agent, inboxId, new NewDraft { To = ["bob@example.net"], Subject = $"{subject} {i}", Text = Big });
            }
            catch (StorageFullException e)
            {
                return (i, e);
            }
        }

        throw new Xunit.Sdk.XunitException("30 large drafts went into a full disk");
    }
}
