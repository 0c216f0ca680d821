using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Scheduling;
using AgentMail.Review.Core.Tests.Delivery;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AgentMail.Review.Core.Tests.Scheduling;

/// <summary>
/// A second's job sends the drafts due then several at a time: claimed in one commit, transmitted side by side,
/// recorded in one commit. Each draft still leaves once, at its own version, and one draft's trouble stays its own.
/// </summary>
public sealed class DueBatchSendTests
{
    private static readonly DateTime SendAt = TestStore.Start.UtcDateTime.AddMinutes(3);

    [Fact]
    public async Task A_seconds_job_with_more_drafts_than_a_batch_sends_each_once_with_its_audit_trail_and_events()
    {
        await using var store = await TestStore.CreateAsync(new Dictionary<string, string?> { ["Review:Scheduling:Workers"] = "4", ["Review:Scheduling:SendBatch"] = "5" });
        var inbox = (await store.CreateInboxAsync()).InboxId;
        var drafts = store.Get<DraftsService>();
        var due = new List<Draft>();
        for (var i = 0; i < 23; i++)
        {
            due.Add(await drafts.CreateAsync(TestActors.Agent, inbox, new NewDraft { To = [$"c{i}@example.com"], Subject = $"Due {i}", SendAt = SendAt.AddMilliseconds(i * 10) }));
        }

        store.Clock.SetUtcNow(SendAt.AddSeconds(1));
        var second = SendDueSecondJob.SecondOf(SendAt);
        // Every part's job at once, as the workers would run them, while time passes.
        var jobs = Task.WhenAll(Enumerable.Range(0, SendDueSecondJob.Parts).Select(part => store.Get<SendDueSecondJob>().RunAsync(second, part)));
        for (var tick = 0; !jobs.IsCompleted && tick < 60; tick++)
        {
            await Task.WhenAny(jobs, Task.Delay(50));
            store.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        await jobs;

        await using var db = store.OpenDb();
        var messages = await db.Messages.AsNoTracking().ToListAsync();
        var sentIds = due.Select(d => d.DraftId).Order().ToList();
        Assert.Equal(sentIds, messages.Select(m => m.DraftId!).Order().ToList());
        Assert.All(messages, m => Assert.Equal(due.Single(d => d.DraftId == m.DraftId).Subject, m.Subject));
        Assert.Equal(23, await db.Outbox.CountAsync());
        Assert.False(await db.Drafts.AnyAsync());

        var audit = await db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.Sending || a.Action == AuditActions.Sent).ToListAsync();
        Assert.All(sentIds, id =>
        {
            Assert.Single(audit, a => a.DraftId == id && a.Action == AuditActions.Sending);
            Assert.Single(audit, a => a.DraftId == id && a.Action == AuditActions.Sent);
        });

        var events = await db.Events.AsNoTracking().Where(e => e.EventType == EventTypes.DraftSent || e.EventType == EventTypes.MessageSent).ToListAsync();
        Assert.Equal(sentIds, events.Where(e => e.EventType == EventTypes.DraftSent).Select(e => e.DraftId!).Order().ToList());
        Assert.Equal(23, events.Count(e => e.EventType == EventTypes.MessageSent));
    }

    [Fact]
    public async Task A_batch_claims_each_draft_only_at_the_version_and_time_it_was_read_for()
    {
        await using var store = await TestStore.CreateAsync();
        var inbox = (await store.CreateInboxAsync()).InboxId;
        var drafts = store.Get<DraftsService>();
        var due = new List<Draft>();
        for (var i = 0; i < 4; i++)
        {
            due.Add(await drafts.CreateAsync(TestActors.Agent, inbox, new NewDraft { To = [$"c{i}@example.com"], Subject = $"Due {i}", SendAt = SendAt }));
        }

        var read = due.Select(d => new DueDraft(d.DraftId, d.Version, d.SendAt!.Value)).ToList();
        // After the job read them: one edited, one moved an hour later, one deleted.
        await drafts.UpdateAsync(TestActors.Agent, inbox, due[0].DraftId, new DraftPatch { Subject = "Edited", ExpectedVersion = due[0].Version });
        await drafts.UpdateAsync(TestActors.Agent, inbox, due[1].DraftId, new DraftPatch { SendAt = new Optional<DateTime?>(true, SendAt.AddHours(1)) });
        await drafts.DeleteAsync(TestActors.Agent, inbox, due[2].DraftId);

        store.Clock.SetUtcNow(SendAt);
        var outcomes = await store.Get<SendService>().SendDueAsync(read);

        Assert.Equal(SendResult.Sent, Assert.Single(outcomes).Result);
        await using var db = store.OpenDb();
        Assert.Equal([due[3].DraftId], await db.Messages.AsNoTracking().Select(m => m.DraftId!).ToListAsync());
        var left = await db.Drafts.AsNoTracking().OrderBy(d => d.Subject).ToListAsync();
        Assert.Equal([("Due 1", DraftState.Scheduled), ("Edited", DraftState.Scheduled)], left.Select(d => (d.Subject!, d.State)).ToList());
        Assert.Equal(1, await db.AuditEntries.CountAsync(a => a.Action == AuditActions.Sending));
    }

    [Fact]
    public async Task A_refused_recipient_fails_only_its_own_draft_and_the_others_of_the_batch_arrive_once()
    {
        await using var sink = await SmtpSink.StartAsync("--reject-rcpt", "dave@example.net", "--reject-code", "550");
        await using var store = await TestStore.CreateAsync(SmtpSettings.For(sink.Port));
        var inbox = (await store.CreateInboxAsync()).InboxId;
        var drafts = store.Get<DraftsService>();
        var due = new List<Draft>();
        foreach (var to in new[] { "ann@example.net", "bob@example.net", "dave@example.net", "eve@example.net", "fay@example.net" })
        {
            due.Add(await drafts.CreateAsync(TestActors.Agent, inbox, new NewDraft { To = [to], Subject = $"For {to}", SendAt = SendAt }));
        }

        store.Clock.SetUtcNow(SendAt);
        var outcomes = await store.Get<SendService>().SendDueAsync(due.Select(d => new DueDraft(d.DraftId, d.Version, d.SendAt!.Value)).ToList());

        Assert.Equal(4, outcomes.Count(o => o.Result == SendResult.Sent));
        Assert.Equal("recipient dave@example.net rejected: 550 5.1.1 no such user", Assert.Single(outcomes, o => o.Result == SendResult.Failed).FailureReason);
        await using var db = store.OpenDb();
        var failed = await db.Drafts.AsNoTracking().SingleAsync();
        Assert.Equal((due[2].DraftId, DraftState.Failed), (failed.DraftId, failed.State));
        foreach (var sent in due.Where(d => d.DraftId != failed.DraftId))
        {
            var message = await db.Messages.AsNoTracking().SingleAsync(m => m.DraftId == sent.DraftId);
            Assert.Equal(1, sink.CompleteMessagesWith(message.MessageId));
        }

        Assert.Equal(["RCPT 550 dave@example.net"], sink.Refusals());
    }

    [Theory]
    [InlineData("Outbox", new[] { 0, 0, 0, 0, 0, 0 })]
    [InlineData("Smtp", new[] { 0, 0, 2, 2, 4, 4 })]
    public async Task With_the_outbox_a_batch_is_recorded_together_and_with_a_mail_server_a_round_of_workers_at_a_time(string transport, int[] recordedAsEachLeaves)
    {
        await using var sink = await SmtpSink.StartAsync();
        var settings = transport == "Smtp" ? SmtpSettings.For(sink.Port) : [];
        settings["Review:Scheduling:Workers"] = "2";
        var watched = new WatchingTransport();
        await using var store = await TestStore.CreateAsync(settings, services => services.AddSingleton<IMailTransport>(sp =>
            watched.Around(transport == "Smtp"
                ? new SmtpTransport(sp.GetRequiredService<IOptions<DeliveryOptions>>(), sp.GetRequiredService<TimeProvider>())
                : new OutboxTransport(sp.GetRequiredService<TimeProvider>()), sp.GetRequiredService<IDbContextFactory<Persistence.ReviewDbContext>>())));
        var inbox = (await store.CreateInboxAsync()).InboxId;
        var due = new List<Draft>();
        for (var i = 0; i < 6; i++)
        {
            due.Add(await store.Get<DraftsService>().CreateAsync(TestActors.Agent, inbox, new NewDraft { To = [$"c{i}@example.com"], Subject = $"Due {i}", SendAt = SendAt }));
        }

        store.Clock.SetUtcNow(SendAt);
        var outcomes = await store.Get<SendService>().SendDueAsync(due.Select(d => new DueDraft(d.DraftId, d.Version, d.SendAt!.Value)).ToList());

        Assert.All(outcomes, o => Assert.Equal(SendResult.Sent, o.Result));
        Assert.Equal(recordedAsEachLeaves, watched.RecordedAsEachLeaves.Order().ToArray());
        await using var db = store.OpenDb();
        Assert.Equal(due.Select(d => d.DraftId).Order().ToList(), (await db.Messages.AsNoTracking().Select(m => m.DraftId!).ToListAsync()).Order().ToList());
    }

    [Fact]
    public async Task When_the_shared_record_fails_each_draft_is_recorded_on_its_own_and_nothing_is_recorded_twice()
    {
        var tampered = new TamperingTransport();
        await using var store = await TestStore.CreateAsync(configure: services => services.AddSingleton<IMailTransport>(sp =>
            tampered.Around(new OutboxTransport(sp.GetRequiredService<TimeProvider>()), sp.GetRequiredService<IDbContextFactory<Persistence.ReviewDbContext>>())));
        var inbox = (await store.CreateInboxAsync()).InboxId;
        var drafts = store.Get<DraftsService>();
        var due = new List<Draft>();
        for (var i = 0; i < 4; i++)
        {
            due.Add(await drafts.CreateAsync(TestActors.Agent, inbox, new NewDraft { To = [$"c{i}@example.com"], Subject = $"Due {i}", SendAt = SendAt }));
        }

        // While it is on its way, someone moves the third draft's claim by hand: recording the batch fails on it.
        tampered.DraftId = due[2].DraftId;
        store.Clock.SetUtcNow(SendAt);
        var outcomes = await store.Get<SendService>().SendDueAsync(due.Select(d => new DueDraft(d.DraftId, d.Version, d.SendAt!.Value)).ToList());

        Assert.Equal(3, outcomes.Count(o => o.Result == SendResult.Sent));
        await using var db = store.OpenDb();
        var sentIds = due.Where(d => d.DraftId != tampered.DraftId).Select(d => d.DraftId).Order().ToList();
        Assert.Equal(sentIds, (await db.Messages.AsNoTracking().Select(m => m.DraftId!).ToListAsync()).Order().ToList());
        Assert.Equal(3, await db.Outbox.CountAsync());
        var sentEvents = await db.Events.AsNoTracking().Where(e => e.EventType == EventTypes.DraftSent).Select(e => e.DraftId!).ToListAsync();
        Assert.Equal(sentIds, sentEvents.Order().ToList());
        Assert.False(await db.Messages.AnyAsync(m => m.DraftId == tampered.DraftId));
    }

    /// <summary>A real transport, noting how many messages are on record as each message leaves.</summary>
    private sealed class WatchingTransport
    {
        private readonly List<int> _recorded = [];

        public IReadOnlyList<int> RecordedAsEachLeaves
        {
            get
            {
                lock (_recorded)
                {
                    return [.. _recorded];
                }
            }
        }

        public IMailTransport Around(IMailTransport inner, IDbContextFactory<Persistence.ReviewDbContext> dbFactory) => new Wrapper(this, inner, dbFactory);

        private sealed class Wrapper(WatchingTransport owner, IMailTransport inner, IDbContextFactory<Persistence.ReviewDbContext> dbFactory) : IMailTransport
        {
            public bool DeliversOnCommit => inner.DeliversOnCommit;

            public async Task<OutboxEntry?> DeliverAsync(MimeMessage message, CancellationToken ct)
            {
                await using (var db = await dbFactory.CreateDbContextAsync(ct))
                {
                    var recorded = await db.Messages.CountAsync(ct);
                    lock (owner._recorded)
                    {
                        owner._recorded.Add(recorded);
                    }
                }

                return await inner.DeliverAsync(message, ct);
            }
        }
    }

    /// <summary>The real Outbox transport, and a hand that changes one draft's claim in the store as it passes.</summary>
    private sealed class TamperingTransport
    {
        public string? DraftId { get; set; }

        public IMailTransport Around(IMailTransport inner, IDbContextFactory<Persistence.ReviewDbContext> dbFactory) => new Wrapper(this, inner, dbFactory);

        private sealed class Wrapper(TamperingTransport owner, IMailTransport inner, IDbContextFactory<Persistence.ReviewDbContext> dbFactory) : IMailTransport
        {
            public bool DeliversOnCommit => inner.DeliversOnCommit;

            public async Task<OutboxEntry?> DeliverAsync(MimeMessage message, CancellationToken ct)
            {
                if (owner.DraftId is { } id && message.MessageId?.StartsWith(id, StringComparison.Ordinal) == true)
                {
                    await using var db = await dbFactory.CreateDbContextAsync(ct);
                    await db.Drafts.Where(d => d.DraftId == id).ExecuteUpdateAsync(set => set.SetProperty(d => d.ClaimedBy, "someone-by-hand"), ct);
                }

                return await inner.DeliverAsync(message, ct);
            }
        }
    }
}
