using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Tests.Support;
using AgentMail.Review.Core.Webhooks;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Tests.Events;

/// <summary>The webhook consumer reads the log from where it stopped: a stop between a commit and its delivery loses nothing.</summary>
public sealed class WebhookFanOutTests
{
    private static readonly Dictionary<string, string?> Settings = new() { ["Review:Webhooks:AllowPrivateNetworks"] = "true" };

    [Fact]
    public async Task An_event_committed_just_before_the_process_stopped_is_delivered_after_the_restart_once()
    {
        var first = await TestStore.CreateAsync(Settings);
        var inbox = (await first.CreateInboxAsync("sales")).InboxId;
        var webhook = await first.Get<WebhookService>().CreateAsync(AccessScope.Organisation,
            new NewWebhook("http://127.0.0.1:9/hook", [EventTypes.DraftCreated], [inbox], null));
        first.Clock.Advance(TimeSpan.FromSeconds(1));
        var draft = await first.Get<DraftsService>().CreateAsync(TestActors.Agent, inbox, new NewDraft { Subject = "committed, not yet delivered" });

        // The process stops here: the event is in the log, no delivery was made for it.
        await using var second = await TestStore.ReopenAsync(first);
        var fanOut = second.Get<WebhookFanOut>();
        Assert.Equal(1, await fanOut.FanOutAsync());
        Assert.Equal(0, await fanOut.FanOutAsync());

        await using var db = second.OpenDb();
        var delivery = await db.WebhookDeliveries.AsNoTracking().SingleAsync();
        Assert.Equal(webhook.WebhookId, delivery.WebhookId);
        Assert.Equal(EventTypes.DraftCreated, delivery.EventType);
        Assert.Equal(draft.DraftId, (await db.Events.AsNoTracking().SingleAsync(e => e.EventId == delivery.EventId)).DraftId);
        Assert.Equal(DeliveryStatus.Pending, delivery.Status);
        Assert.Equal(1, second.Get<JobStorage>().GetMonitoringApi().EnqueuedCount("default"));
    }

    [Fact]
    public async Task Deliveries_written_but_not_yet_handed_to_a_job_get_their_jobs_at_start_up()
    {
        var first = await TestStore.CreateAsync(Settings);
        var inbox = (await first.CreateInboxAsync("sales")).InboxId;
        await first.Get<WebhookService>().CreateAsync(AccessScope.Organisation, new NewWebhook("http://127.0.0.1:9/hook", [EventTypes.DraftCreated, EventTypes.DraftDeleted], [], null));
        first.Clock.Advance(TimeSpan.FromSeconds(1));
        var draft = await first.Get<DraftsService>().CreateAsync(TestActors.Agent, inbox, new NewDraft { Subject = "a" });
        await first.Get<DraftsService>().DeleteAsync(TestActors.Agent, inbox, draft.DraftId);
        Assert.Equal(2, await first.Get<WebhookFanOut>().FanOutAsync());

        // Hangfire's memory does not survive the restart; the deliveries in the store do.
        await using var second = await TestStore.ReopenAsync(first);
        Assert.Equal(0, second.Get<JobStorage>().GetMonitoringApi().EnqueuedCount("default"));
        await second.Get<WebhookFanOut>().RecoverAsync();
        Assert.Equal(2, second.Get<JobStorage>().GetMonitoringApi().EnqueuedCount("default"));
        Assert.Equal(0, await second.Get<WebhookFanOut>().FanOutAsync());
    }

    [Fact]
    public async Task An_endpoint_hears_events_from_its_creation_on_for_the_types_and_inboxes_it_named()
    {
        await using var store = await TestStore.CreateAsync(Settings);
        var sales = (await store.CreateInboxAsync("sales")).InboxId;
        var support = (await store.CreateInboxAsync("support")).InboxId;
        var drafts = store.Get<DraftsService>();
        await drafts.CreateAsync(TestActors.Agent, sales, new NewDraft { Subject = "before the endpoint existed" });
        store.Clock.Advance(TimeSpan.FromSeconds(1));
        await store.Get<WebhookService>().CreateAsync(AccessScope.Organisation, new NewWebhook("http://127.0.0.1:9/hook", [EventTypes.DraftCreated], [sales], null));
        store.Clock.Advance(TimeSpan.FromSeconds(1));
        var wanted = await drafts.CreateAsync(TestActors.Agent, sales, new NewDraft { Subject = "wanted" });
        await drafts.CreateAsync(TestActors.Agent, support, new NewDraft { Subject = "other inbox" });
        await drafts.UpdateAsync(TestActors.Agent, sales, wanted.DraftId, new DraftPatch { Subject = "other type" });

        await store.Get<WebhookFanOut>().FanOutAsync();
        await using var db = store.OpenDb();
        var delivery = await db.WebhookDeliveries.AsNoTracking().SingleAsync();
        Assert.Equal(wanted.DraftId, (await db.Events.AsNoTracking().SingleAsync(e => e.Position == delivery.EventPosition)).DraftId);
    }

    [Fact]
    public async Task Events_no_endpoint_wants_cost_no_write_and_are_still_never_delivered_after_a_restart()
    {
        var first = await TestStore.CreateAsync(Settings);
        var inbox = (await first.CreateInboxAsync("sales")).InboxId;
        await first.Get<DraftsService>().CreateAsync(TestActors.Agent, inbox, new NewDraft { Subject = "nobody listens" });
        Assert.Equal(1, await first.Get<WebhookFanOut>().FanOutAsync());
        await using (var db = first.OpenDb())
        {
            Assert.Empty(await db.EventCursors.AsNoTracking().ToListAsync());
        }

        first.Clock.Advance(TimeSpan.FromSeconds(1));
        await first.Get<WebhookService>().CreateAsync(AccessScope.Organisation, new NewWebhook("http://127.0.0.1:9/hook", [EventTypes.DraftCreated], [], null));
        await using var second = await TestStore.ReopenAsync(first);
        Assert.Equal(1, await second.Get<WebhookFanOut>().FanOutAsync());
        await using var after = second.OpenDb();
        Assert.Empty(await after.WebhookDeliveries.AsNoTracking().ToListAsync());
    }
}
