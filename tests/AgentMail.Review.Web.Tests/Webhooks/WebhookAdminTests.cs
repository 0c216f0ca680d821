using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Persistence;
using AgentMail.Review.Core.Webhooks;
using AgentMail.Review.Web.Components.Webhooks;
using AgentMail.Review.Web.Tests.Support;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMail.Review.Web.Tests.Webhooks;

/// <summary>The admin's webhooks panel: endpoints, what their deliveries got back, replaying one, enabling a disabled endpoint.</summary>
public sealed class WebhookAdminTests : ConsoleTestContext
{
    private ReviewDbContext OpenStore() => Services.GetRequiredService<IDbContextFactory<ReviewDbContext>>().CreateDbContext();

    private async Task<(Webhook Webhook, WebhookDelivery Delivery)> SeedAsync(bool enabled)
    {
        var inbox = await Services.GetRequiredService<Core.Inboxes.InboxService>().CreateAsync(new("sales", "example.com", null, null));
        var draft = await Drafts.CreateAsync(Agent, inbox.InboxId, new Core.Drafts.NewDraft { Subject = "Offer" });
        await using var db = OpenStore();
        var record = await db.Events.AsNoTracking().SingleAsync(e => e.DraftId == draft.DraftId && e.EventType == EventTypes.DraftCreated);
        var webhook = new Webhook
        {
            WebhookId = "wh-1",
            Url = "https://agent.example.com/hooks",
            EventTypes = [EventTypes.DraftCreated],
            Secret = "whsec_AAAA",
            Enabled = enabled,
            DisabledReason = enabled ? null : "the endpoint answered 410 Gone",
            CreatedAt = Start.UtcDateTime,
            UpdatedAt = Start.UtcDateTime,
        };
        var delivery = new WebhookDelivery
        {
            DeliveryId = "dl-1",
            WebhookId = webhook.WebhookId,
            EventPosition = record.Position,
            EventId = record.EventId,
            EventType = record.EventType,
            Status = DeliveryStatus.Failed,
            Attempts = 8,
            LastAttemptAt = Start.UtcDateTime.AddMinutes(-3),
            LastStatusCode = 500,
            LastResponse = "{\"error\":\"database is down\"}",
            CreatedAt = Start.UtcDateTime.AddHours(-30),
        };
        db.Webhooks.Add(webhook);
        db.WebhookDeliveries.Add(delivery);
        await db.SaveChangesAsync();
        return (webhook, delivery);
    }

    [Fact]
    public async Task Each_endpoint_shows_its_deliveries_with_their_answer_and_a_replay_sends_the_event_again()
    {
        var (_, delivery) = await SeedAsync(enabled: true);
        var cut = Render<WebhookEndpoints>();

        var row = cut.Find("[data-testid=delivery]");
        Assert.Equal("failed", row.GetAttribute("data-status"));
        Assert.Contains("draft.created", row.TextContent);
        Assert.Contains(delivery.EventId, row.TextContent);
        Assert.Contains("500", cut.Find("[data-testid=answer]").TextContent);
        Assert.Contains("database is down", cut.Find("[data-testid=answer]").TextContent);

        cut.Find($"button[aria-label='Replay draft.created {delivery.EventId}']").Click();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=delivery]").Count));
        await using var db = OpenStore();
        var replay = await db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.DeliveryId != delivery.DeliveryId);
        Assert.Equal(delivery.EventId, replay.EventId);
        Assert.Equal(DeliveryStatus.Pending, replay.Status);
        Assert.Equal(1, Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi().EnqueuedCount("default"));
    }

    [Fact]
    public async Task A_disabled_endpoint_says_why_and_can_be_enabled_again()
    {
        await SeedAsync(enabled: false);
        var cut = Render<WebhookEndpoints>();
        Assert.Contains("410 Gone", cut.Find("[data-testid=disabled-reason]").TextContent);

        cut.Find("button[aria-label='Enable https://agent.example.com/hooks']").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=disabled]")));
        await using var db = OpenStore();
        Assert.True((await db.Webhooks.AsNoTracking().SingleAsync()).Enabled);
    }
}
