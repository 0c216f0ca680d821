using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Tests.Storage;

/// <summary>
/// Start-up does not compare the model with the migrations (it costs every start a second); this is where a model
/// change without its migration is caught.
/// </summary>
public sealed class MigrationsTests
{
    [Fact]
    public async Task Every_model_change_has_its_migration()
    {
        await using var store = await TestStore.CreateAsync();
        await using var db = store.OpenDb();

        Assert.False(db.Database.HasPendingModelChanges(),
            "the model differs from the last migration's snapshot: add one with `dotnet ef migrations add <Name>` in src/AgentMail.Review.Core");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task A_store_opened_again_is_already_up_to_date_and_keeps_its_rows()
    {
        await using var first = await TestStore.CreateAsync();
        var inbox = await first.CreateInboxAsync("kept");
        await using var again = await TestStore.ReopenAsync(first);
        await using var db = again.OpenDb();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.True(await db.Inboxes.AnyAsync(i => i.InboxId == inbox.InboxId));
    }
}
