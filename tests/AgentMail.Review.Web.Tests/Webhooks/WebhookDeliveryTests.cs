using System.Net.Http.Json;
using System.Text;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Webhooks;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StandardWebhooks;

namespace AgentMail.Review.Web.Tests.Webhooks;

/// <summary>Deliveries to a real endpoint on loopback that verifies every signature, as an agent's handler would.</summary>
public sealed class WebhookDeliveryTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    private static readonly Actor Supervisor = Actor.Person("sup", "supervisor@example.com", "127.0.0.1");

    [Fact]
    public void Svix_published_test_vector_signs_and_verifies()
    {
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        const string body = "{\"test\": 2432232314}";
        var signature = WebhookSignature.Sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, Encoding.UTF8.GetBytes(body));
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);

        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary();
        foreach (var (name, value) in WebhookSignature.Headers(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes(body)))
        {
            headers[name] = value;
        }

        new StandardWebhook(secret, WebhookConfigurationOptions.Svix).Verify(body, headers);
        new StandardWebhook(secret, WebhookConfigurationOptions.StandardWebhooks).Verify(body, headers);
    }

    [Fact]
    public async Task Draft_events_arrive_signed_in_agentmails_envelope_for_the_types_and_inbox_asked_for()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var api = factory.CreateAgentClient();
        var inbox = await api.CreateInboxAsync();
        var other = await api.CreateInboxAsync();
        var webhook = await (await api.PostAsJsonAsync("/v0/webhooks", new
        {
            url = receiver.Url,
            event_types = new[] { "draft.created", "draft.approved", "draft.sent", "message.sent" },
            inbox_ids = new[] { inbox },
        })).ReadJsonAsync();
        receiver.Secret = webhook["secret"]!.GetValue<string>();

        await api.CreateDraftAsync(other, new { to = new[] { "eve@example.com" }, subject = "not for this endpoint" });
        var draft = await api.CreateDraftAsync(inbox, new { to = new[] { "bob@example.com" }, subject = "Offer", text = "Hi Bob" });
        var draftId = draft["draft_id"]!.GetValue<string>();

        var created = await receiver.NextAsync();
        Assert.True(created.SvixVerified, created.Body);
        Assert.True(created.StandardVerified);
        var json = created.Json;
        Assert.Equal("event", json["type"]!.GetValue<string>());
        Assert.Equal("draft.created", json["event_type"]!.GetValue<string>());
        Assert.Equal(json["event_id"]!.GetValue<string>(), created.Headers["svix-id"]);
        Assert.Equal(created.Headers["svix-id"], created.Headers["webhook-id"]);
        Assert.Equal(draftId, json["draft"]!["draft_id"]!.GetValue<string>());
        Assert.Equal("Hi Bob", json["draft"]!["text"]!.GetValue<string>());
        Assert.Equal(inbox, json["draft"]!["inbox_id"]!.GetValue<string>());
        Assert.Equal("agent", json["actor"]!["kind"]!.GetValue<string>());

        await factory.Services.GetRequiredService<DraftsService>().ApproveAsync(Supervisor, inbox, draftId, 1, DateTime.UtcNow);
        // Each delivery is its own job, so like Svix's they may arrive in any order.
        var leaving = new[] { await receiver.NextAsync(), await receiver.NextAsync(), await receiver.NextAsync() }.ToDictionary(r => r.EventType);
        Assert.Equal(["draft.approved", "draft.sent", "message.sent"], leaving.Keys.Order());
        Assert.Equal("supervisor@example.com", leaving["draft.approved"].Json["actor"]!["name"]!.GetValue<string>());
        var sent = leaving["message.sent"].Json["send"]!;
        Assert.Equal(inbox, sent["inbox_id"]!.GetValue<string>());
        Assert.Equal(["bob@example.com"], sent["recipients"].Strings());
        Assert.Equal($"<{draftId}@example.com>", sent["message_id"]!.GetValue<string>());
        Assert.Equal(sent["message_id"]!.GetValue<string>(), leaving["draft.sent"].Json["message_id"]!.GetValue<string>());
        Assert.All(receiver.All, r => Assert.True(r.SvixVerified));
        Assert.Equal(4, receiver.All.Select(r => r.Headers["svix-id"]).Distinct().Count());

        var deliveries = new List<WebhookDelivery>();
        await Eventually(async () =>
        {
            await using var db = factory.OpenDb();
            deliveries = await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == webhook["webhook_id"]!.GetValue<string>()).ToListAsync();
            return deliveries.Count == 4 && deliveries.All(d => d.Status != DeliveryStatus.Pending);
        });
        Assert.All(deliveries, d => Assert.Equal(DeliveryStatus.Succeeded, d.Status));
        Assert.All(deliveries, d => Assert.Equal(200, d.LastStatusCode));
    }

    [Fact]
    public async Task An_endpoint_answering_410_is_disabled_and_hears_nothing_more()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.DefaultStatus = 410;
        var api = factory.CreateAgentClient();
        var inbox = await api.CreateInboxAsync();
        var webhook = await (await api.PostAsJsonAsync("/v0/webhooks", new { url = receiver.Url, event_types = new[] { "draft.created" }, inbox_ids = new[] { inbox } })).ReadJsonAsync();
        receiver.Secret = webhook["secret"]!.GetValue<string>();

        await api.CreateDraftAsync(inbox, new { subject = "first" });
        Assert.Equal(410, (await receiver.NextAsync()).AnsweredWith);
        var id = webhook["webhook_id"]!.GetValue<string>();
        await Eventually(async () => !(await (await api.GetAsync($"/v0/webhooks/{id}")).ReadJsonAsync())["enabled"]!.GetValue<bool>());

        await api.CreateDraftAsync(inbox, new { subject = "second" });
        await Task.Delay(1500);
        Assert.Single(receiver.All);
        await using var db = factory.OpenDb();
        Assert.Equal("the endpoint answered 410 Gone", (await db.Webhooks.AsNoTracking().SingleAsync(w => w.WebhookId == id)).DisabledReason);
    }

    internal static async Task Eventually(Func<Task<bool>> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in time");
            await Task.Delay(50);
        }
    }
}

/// <summary>The host with time driven by the test, from the real now (so Hangfire's own timing stays near it).</summary>
public sealed class FakeClockFactory : ReviewApiFactory
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>Failed attempts are retried on Svix's schedule, without a worker waiting, until one succeeds or the endpoint gives out.</summary>
public sealed class WebhookRetryTests(FakeClockFactory factory) : IClassFixture<FakeClockFactory>
{
    private WebhookDeliveryJob Job => factory.Services.GetRequiredService<WebhookDeliveryJob>();

    private async Task<(WebhookReceiver Receiver, string WebhookId, string Inbox)> EndpointAsync(int defaultStatus)
    {
        var receiver = await WebhookReceiver.StartAsync(factory.Clock);
        receiver.DefaultStatus = defaultStatus;
        var api = factory.CreateAgentClient();
        var inbox = await api.CreateInboxAsync();
        var webhook = await (await api.PostAsJsonAsync("/v0/webhooks", new { url = receiver.Url, event_types = new[] { "draft.created" }, inbox_ids = new[] { inbox } })).ReadJsonAsync();
        receiver.Secret = webhook["secret"]!.GetValue<string>();
        return (receiver, webhook["webhook_id"]!.GetValue<string>(), inbox);
    }

    private async Task<WebhookDelivery> DeliveryAsync(string webhookId, Func<WebhookDelivery, bool> until)
    {
        WebhookDelivery? found = null;
        await WebhookDeliveryTests.Eventually(async () =>
        {
            await using var db = factory.OpenDb();
            found = await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.WebhookId == webhookId);
            return found is not null && until(found);
        });
        return found!;
    }

    [Fact]
    public async Task A_receiver_down_then_up_gets_the_event_once_it_is_back_with_the_same_id_on_every_attempt()
    {
        var (receiver, webhookId, inbox) = await EndpointAsync(defaultStatus: 503);
        await using var _ = receiver;
        await factory.CreateAgentClient().CreateDraftAsync(inbox, new { subject = "while you were down" });

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            if (attempt > 1)
            {
                factory.Clock.Advance(WebhookOptions.RetrySchedule[attempt - 1]);
                await Job.AttemptAsync((await DeliveryAsync(webhookId, _ => true)).DeliveryId, attempt);
            }

            Assert.Equal(503, (await receiver.NextAsync()).AnsweredWith);
            var delivery = await DeliveryAsync(webhookId, d => d.Attempts == attempt && d.LastStatusCode == 503 && d.NextAttemptAt < d.LastAttemptAt + TimeSpan.FromDays(1));
            Assert.Equal(DeliveryStatus.Pending, delivery.Status);
            Assert.Equal(WebhookOptions.RetrySchedule[attempt], delivery.NextAttemptAt - delivery.LastAttemptAt);
            Assert.Equal("answered 503", delivery.LastResponse);
        }

        receiver.DefaultStatus = 200;
        factory.Clock.Advance(WebhookOptions.RetrySchedule[4]);
        var pending = await DeliveryAsync(webhookId, _ => true);
        await Job.AttemptAsync(pending.DeliveryId, 5);
        var arrived = await receiver.NextAsync();
        Assert.Equal(200, arrived.AnsweredWith);

        var done = await DeliveryAsync(webhookId, d => d.Status == DeliveryStatus.Succeeded);
        Assert.Equal(5, done.Attempts);
        Assert.Null(done.NextAttemptAt);
        Assert.Single(receiver.All.Select(r => r.Headers["svix-id"]).Distinct());
        Assert.Single(receiver.All.Select(r => r.Body).Distinct());

        // An attempt already made does nothing a second time.
        await Job.AttemptAsync(done.DeliveryId, 5);
        await Job.AttemptAsync(done.DeliveryId, 6);
        Assert.Equal(5, receiver.All.Count);
    }

    [Fact]
    public async Task An_endpoint_failing_for_five_days_is_disabled()
    {
        var (receiver, webhookId, inbox) = await EndpointAsync(defaultStatus: 500);
        await using var _ = receiver;
        await factory.CreateAgentClient().CreateDraftAsync(inbox, new { subject = "nobody home" });
        await receiver.NextAsync();
        var delivery = await DeliveryAsync(webhookId, d => d.Attempts == 1 && d.LastStatusCode == 500);

        factory.Clock.Advance(TimeSpan.FromDays(5));
        await Job.AttemptAsync(delivery.DeliveryId, 2);

        // The catch-all sweep may have taken this attempt a moment before the call above; either way it is made once.
        await DeliveryAsync(webhookId, d => d.Status != DeliveryStatus.Pending);
        await using var db = factory.OpenDb();
        var webhook = await db.Webhooks.AsNoTracking().SingleAsync(w => w.WebhookId == webhookId);
        Assert.False(webhook.Enabled);
        Assert.StartsWith("every attempt since", webhook.DisabledReason);
        Assert.Equal(DeliveryStatus.Failed, (await db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.WebhookId == webhookId)).Status);
    }

    [Fact]
    public async Task Only_a_kilobyte_of_an_answer_is_kept_and_a_redirect_is_not_followed()
    {
        var (receiver, webhookId, inbox) = await EndpointAsync(defaultStatus: 200);
        await using var _ = receiver;
        receiver.AnswerNext(307);
        receiver.ResponseBody = new string('x', 50_000);
        await factory.CreateAgentClient().CreateDraftAsync(inbox, new { subject = "long answer" });
        Assert.Equal(307, (await receiver.NextAsync()).AnsweredWith);

        var delivery = await DeliveryAsync(webhookId, d => d.Attempts == 1 && d.LastStatusCode is not null);
        Assert.Equal(307, delivery.LastStatusCode);
        Assert.Equal(DeliveryStatus.Pending, delivery.Status);
        Assert.Equal(WebhookOptions.KeptResponseBytes, delivery.LastResponse!.Length);
        Assert.Single(receiver.All);
    }
}
