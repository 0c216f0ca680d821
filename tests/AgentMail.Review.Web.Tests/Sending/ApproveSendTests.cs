using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Web.Tests.Sending;

/// <summary>Approve-and-send in the real host: Hangfire sends the approved draft once its undo window has passed.</summary>
public sealed class ApproveSendTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    private static readonly Actor Supervisor = Actor.Person("sup", "supervisor@example.com", "127.0.0.1");

    [Fact]
    public async Task An_approved_draft_leaves_after_the_undo_window_and_an_undone_one_stays()
    {
        var api = factory.CreateAgentClient();
        var inbox = await api.CreateInboxAsync();
        var approved = await api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "approved" });
        var undone = await api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "undone" });
        var drafts = factory.Services.GetRequiredService<DraftsService>();

        await drafts.ApproveAsync(Supervisor, inbox, approved["draft_id"]!.GetValue<string>(), 1, DateTime.UtcNow.AddSeconds(1));
        var second = await drafts.ApproveAsync(Supervisor, inbox, undone["draft_id"]!.GetValue<string>(), 1, DateTime.UtcNow.AddSeconds(1));
        await drafts.UndoApprovalAsync(Supervisor, inbox, second.DraftId, second.Version);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            await using var poll = factory.OpenDb();
            if (await poll.Messages.AnyAsync(m => m.InboxId == inbox))
            {
                break;
            }

            await Task.Delay(100);
        }

        await Task.Delay(1500);
        await using var db = factory.OpenDb();
        var message = await db.Messages.SingleAsync(m => m.InboxId == inbox);
        Assert.Equal("approved", message.Subject);
        Assert.Equal("supervisor@example.com", message.SentBy);
        Assert.Equal(DraftState.Pending, (await db.Drafts.SingleAsync(d => d.DraftId == second.DraftId)).State);
    }
}
