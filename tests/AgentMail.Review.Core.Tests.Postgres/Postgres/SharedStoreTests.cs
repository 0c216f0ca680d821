using AgentMail.Review.Core.ApiKeys;
using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Core.Persistence.Postgres;
using AgentMail.Review.Core.Tests.Support;
using AgentMail.Review.Core.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Tests.Postgres;

/// <summary>
/// Two instances on one PostgreSQL store, as two service containers over the same database: what each must see of
/// the other's work, and what neither may do to the other's.
/// </summary>
public sealed class SharedStoreTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Settings = new() { ["Review:Webhooks:AllowPrivateNetworks"] = "true" };

    private TestStore _a = null!;
    private TestStore _b = null!;
    private string _inbox = null!;

    public async Task InitializeAsync()
    {
        _a = await TestStore.CreateAsync(Settings);
        _b = await TestStore.JoinAsync(_a, Settings);
        _inbox = (await _a.CreateInboxAsync("shared")).InboxId;
    }

    public async Task DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
    }

    [Fact]
    public void Every_model_change_has_its_postgresql_migration()
    {
        using var db = _a.OpenDb();

        Assert.IsType<PostgresReviewDbContext>(db);
        Assert.False(db.Database.HasPendingModelChanges(),
            "the model differs from the PostgreSQL migrations' snapshot: add one with `dotnet ef migrations add <Name> --context PostgresReviewDbContext --output-dir Persistence/Postgres/Migrations` in src/AgentMail.Review.Core");
    }

    [Fact]
    public async Task A_reader_following_the_log_while_two_instances_write_at_once_misses_no_event()
    {
        var writers = new[] { _a, _b }.SelectMany(store => Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                await store.Get<DraftsService>().CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = $"writer {w} draft {i}" });
            }
        }))).ToList();

        // Reads as a consumer does, from its last position, while the writes go on: an event that became visible
        // after a later one had been read would be skipped for good.
        var seen = new List<long>();
        var reader = _b.Get<EventLogReader>();
        var position = 0L;
        var allWritten = Task.WhenAll(writers);
        while (true)
        {
            var done = allWritten.IsCompleted;
            var batch = await reader.ReadAfterAsync(position, 50);
            seen.AddRange(batch.Select(e => e.Position));
            position = batch.Count > 0 ? batch[^1].Position : position;
            if (done && batch.Count == 0)
            {
                break;
            }
        }

        await allWritten;
        await using var db = _a.OpenDb();
        var all = await db.Events.AsNoTracking().OrderBy(e => e.Position).Select(e => e.Position).ToListAsync();
        Assert.Equal(6 * 40, await db.Events.CountAsync(e => e.EventType == EventTypes.DraftCreated));
        Assert.Equal(all, seen);
    }

    [Fact]
    public async Task A_batch_claim_that_meets_another_instances_claim_of_one_of_its_drafts_sends_only_the_others_each_once()
    {
        var drafts = _a.Get<DraftsService>();
        var sendAt = _a.Clock.GetUtcNow().UtcDateTime.AddMinutes(1);
        var due = new List<Draft>();
        for (var i = 0; i < 5; i++)
        {
            due.Add(await drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = [$"c{i}@example.com"], Subject = $"Due {i}", SendAt = sendAt }));
        }

        _a.Clock.SetUtcNow(sendAt);
        var taken = due[2];
        // Instance B's claim of one of them, under way but not committed when A's batch reads which it may claim.
        await using var other = _b.OpenDb();
        await using var othersClaim = await other.Database.BeginTransactionAsync();
        await other.Drafts.Where(d => d.DraftId == taken.DraftId).ExecuteUpdateAsync(set => set
            .SetProperty(d => d.State, DraftState.Sending)
            .SetProperty(d => d.ClaimedBy, "instance-b")
            .SetProperty(d => d.Version, d => d.Version + 1));

        var sending = _a.Get<SendService>().SendDueAsync(due.Select(d => new DueDraft(d.DraftId, d.Version, d.SendAt!.Value)).ToList());
        // A's claim has read all five as claimable and now waits on B's row; B's claim then commits.
        await using (var watcher = _a.OpenDb())
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (await watcher.Database.SqlQueryRaw<int>(
                       "SELECT count(*)::int AS \"Value\" FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()").SingleAsync() == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "A's batch claim never waited on B's claim");
                await Task.Delay(20);
            }
        }

        await othersClaim.CommitAsync();
        var outcomes = await sending;

        Assert.Equal(4, outcomes.Count(o => o.Result == SendResult.Sent));
        await using var db = _a.OpenDb();
        var sentIds = due.Where(d => d.DraftId != taken.DraftId).Select(d => d.DraftId).Order().ToList();
        Assert.Equal(sentIds, (await db.Messages.AsNoTracking().Select(m => m.DraftId!).ToListAsync()).Order().ToList());
        var left = await db.Drafts.AsNoTracking().SingleAsync();
        Assert.Equal((taken.DraftId, DraftState.Sending, "instance-b"), (left.DraftId, left.State, left.ClaimedBy));
        // The batch's own claim was undone whole: each sent draft was claimed once, by the claims made one by one.
        var claims = await db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.Sending).Select(a => a.DraftId).ToListAsync();
        Assert.Equal(sentIds, claims.Order().ToList());
    }

    [Fact]
    public async Task A_running_instances_claim_is_left_alone_and_becomes_delivery_uncertain_once_that_instance_is_gone()
    {
        var presence = _a.Get<PostgresInstancePresence>();
        await presence.StartAsync(CancellationToken.None);
        await presence.Held.WaitAsync(TimeSpan.FromSeconds(30));
        var draft = await _a.Get<DraftsService>().CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["bob@example.com"] });
        var claimed = await _a.Get<DraftsService>().ClaimForSendingAsync(Actor.System, draft.DraftId, draft.Version, "delivering on A");
        Assert.NotNull(claimed);

        Assert.Equal(0, await _b.Get<DraftsService>().ResolveAbandonedClaimsAsync(deliversOnCommit: false));
        Assert.Equal(DraftState.Sending, (await _b.Get<DraftQueries>().GetAsync(AccessScope.Organisation, _inbox, draft.DraftId)).State);

        // A stops (its connection, and with it its presence lock, ends as it would when the process is killed).
        await presence.StopAsync(CancellationToken.None);
        Assert.Equal(1, await _b.Get<DraftsService>().ResolveAbandonedClaimsAsync(deliversOnCommit: false));
        var resolved = await _b.Get<DraftQueries>().GetAsync(AccessScope.Organisation, _inbox, draft.DraftId);
        Assert.Equal(DraftState.Failed, resolved.State);
        Assert.Equal(DraftsService.InterruptedUncertainReason, resolved.FailureReason);
    }

    [Fact]
    public async Task Two_instances_fanning_out_the_same_events_make_one_delivery_each()
    {
        await _a.Get<WebhookService>().CreateAsync(AccessScope.Organisation, new NewWebhook("http://127.0.0.1:9/hook", [EventTypes.DraftCreated], [], null));
        _a.Clock.Advance(TimeSpan.FromSeconds(1));
        _b.Clock.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 30; i++)
        {
            await (i % 2 == 0 ? _a : _b).Get<DraftsService>().CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = $"event {i}" });
        }

        async Task DrainAsync(TestStore store)
        {
            while (await store.Get<WebhookFanOut>().FanOutAsync() > 0)
            {
            }
        }

        await Task.WhenAll(Task.Run(() => DrainAsync(_a)), Task.Run(() => DrainAsync(_b)));
        await DrainAsync(_a);

        await using var db = _a.OpenDb();
        var deliveries = await db.WebhookDeliveries.AsNoTracking().Select(d => d.EventId).ToListAsync();
        Assert.Equal(30, deliveries.Count);
        Assert.Equal(30, deliveries.Distinct().Count());
    }

    [Fact]
    public async Task A_commit_on_one_instance_wakes_the_event_readers_of_the_other()
    {
        var wakeup = new PostgresEventWakeup(_b.Get<Npgsql.NpgsqlDataSource>(), _b.Get<EventSignal>(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresEventWakeup>.Instance);
        // The first pulse comes once B listens; the next is A's commit.
        var listening = _b.Get<EventSignal>().Next;
        await wakeup.StartAsync(CancellationToken.None);
        try
        {
            await listening.WaitAsync(TimeSpan.FromSeconds(30));
            var woken = _b.Get<EventSignal>().Next;

            await _a.Get<DraftsService>().CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = "made on A" });

            await woken.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await wakeup.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_key_revoked_through_one_instance_is_refused_by_the_other_on_its_next_request()
    {
        var created = await _a.Get<ApiKeyService>().CreateAsync("agent", [], canSend: true);
        Assert.NotNull(await _b.Get<ApiKeyService>().AuthenticateAsync(created.Secret));

        await _a.Get<ApiKeyService>().RevokeAsync(created.Key.ApiKeyId);

        Assert.Null(await _b.Get<ApiKeyService>().AuthenticateAsync(created.Secret));
    }
}
