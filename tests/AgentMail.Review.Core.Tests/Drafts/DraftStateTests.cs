using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Tests.Drafts;

public sealed class DraftStateTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private string _inbox = null!;

    private DraftsService Drafts => _store.Get<DraftsService>();

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        _inbox = (await _store.CreateInboxAsync()).InboxId;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task A_draft_without_send_time_is_pending_and_one_with_it_is_scheduled()
    {
        var pending = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Subject = "p" });
        var scheduled = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = _store.Clock.GetUtcNow().UtcDateTime.AddHours(1) });

        Assert.Equal(DraftState.Pending, pending.State);
        Assert.Null(pending.SendStatus);
        Assert.Equal(DraftState.Scheduled, scheduled.State);
        Assert.Equal("scheduled", scheduled.SendStatus);
        Assert.Contains(Draft.ScheduledLabel, scheduled.Labels);
    }

    [Fact]
    public async Task The_scheduled_label_belongs_to_the_state_not_to_the_agent()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { Labels = ["scheduled", "x"] });
        Assert.Equal(["x"], draft.Labels);

        var updated = await Drafts.UpdateAsync(TestActors.Agent, _inbox, draft.DraftId, new DraftPatch { AddLabels = ["scheduled"] });
        Assert.Equal(DraftState.Pending, updated.State);
        Assert.DoesNotContain("scheduled", updated.Labels);
    }

    [Fact]
    public async Task A_send_time_in_the_past_is_refused()
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { SendAt = _store.Clock.GetUtcNow().UtcDateTime.AddSeconds(-1) }));
        Assert.Equal("send_at", Assert.Single(error.Errors).Field);
    }

    [Fact]
    public async Task A_failed_draft_is_retried_by_setting_a_new_send_time()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"] });
        var claimed = await Drafts.ClaimForSendingAsync(Actor.System, draft.DraftId, draft.Version, "test");
        await Drafts.MarkFailedAsync(Actor.System, claimed!, "mail server said no");

        var failed = await _store.Get<DraftQueries>().GetAsync(AccessScope.Organisation, _inbox, draft.DraftId);
        Assert.Equal(DraftState.Failed, failed.State);
        Assert.Equal("mail server said no", failed.FailureReason);

        var retried = await Drafts.UpdateAsync(TestActors.Supervisor, _inbox, draft.DraftId, new DraftPatch { SendAt = _store.Clock.GetUtcNow().UtcDateTime.AddMinutes(5) });
        Assert.Equal(DraftState.Scheduled, retried.State);
        Assert.Null(retried.FailureReason);
    }

    [Fact]
    public async Task Listing_by_the_scheduled_label_finds_scheduled_drafts_and_not_one_whose_send_failed()
    {
        var inOneHour = _store.Clock.GetUtcNow().UtcDateTime.AddHours(1);
        var scheduled = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"], SendAt = inOneHour });
        var failing = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["b@example.com"], SendAt = inOneHour, Labels = ["urgent"] });
        await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["c@example.com"], Labels = ["urgent"] });
        var claimed = await Drafts.ClaimForSendingAsync(Actor.System, failing.DraftId, failing.Version, "test");
        await Drafts.MarkFailedAsync(Actor.System, claimed!, "mail server said no");

        var queries = _store.Get<DraftQueries>();
        var listed = await queries.ListAsync(AccessScope.Organisation, null, new ListRequest { Labels = [Draft.ScheduledLabel] });
        Assert.Equal([scheduled.DraftId], listed.Items.Select(d => d.DraftId));
        Assert.Contains(Draft.ScheduledLabel, listed.Items.Single().CurrentLabels);

        var failed = await queries.GetAsync(AccessScope.Organisation, _inbox, failing.DraftId);
        Assert.Equal(["urgent"], failed.CurrentLabels);
        var urgent = await queries.ListAsync(AccessScope.Organisation, null, new ListRequest { Labels = ["urgent"] });
        Assert.Equal(2, urgent.Items.Count);
    }

    [Fact]
    public async Task Many_writers_at_once_all_land_and_each_sees_its_own_write()
    {
        // Creates, edits and deletes racing on one store file: each queues for the writer instead of failing busy.
        var created = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = [$"r{i}@example.com"], Subject = $"s{i}" })));
        await Task.WhenAll(created.Select((d, i) => i % 2 == 0
            ? Drafts.UpdateAsync(TestActors.Supervisor, _inbox, d.DraftId, new DraftPatch { Subject = $"edited {i}" })
            : Drafts.DeleteAsync(TestActors.Supervisor, _inbox, d.DraftId)));

        await using var db = await _store.Get<IDbContextFactory<Persistence.ReviewDbContext>>().CreateDbContextAsync();
        var subjects = await db.Drafts.Select(d => d.Subject).ToListAsync();
        Assert.Equal(Enumerable.Range(0, 40).Where(i => i % 2 == 0).Select(i => $"edited {i}").Order(), subjects.Order());
    }

    [Fact]
    public async Task Of_many_racing_claims_exactly_one_wins()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"] });

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Drafts.ClaimForSendingAsync(Actor.System, draft.DraftId, draft.Version, "race"))));

        Assert.Single(claims, c => c is not null);
        await using var db = _store.OpenDb();
        Assert.Equal(1, await db.AuditEntries.CountAsync(a => a.DraftId == draft.DraftId && a.Action == "sending"));
    }

    [Fact]
    public async Task A_claim_for_an_old_version_does_nothing()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"], Subject = "v1" });
        await Drafts.UpdateAsync(TestActors.Agent, _inbox, draft.DraftId, new DraftPatch { Subject = "v2" });

        var claimed = await Drafts.ClaimForSendingAsync(Actor.System, draft.DraftId, draft.Version, "stale job");

        Assert.Null(claimed);
        Assert.Equal(DraftState.Pending, (await _store.Get<DraftQueries>().GetAsync(AccessScope.Organisation, _inbox, draft.DraftId)).State);
    }

    [Fact]
    public async Task An_outbox_send_cut_off_by_a_stop_goes_out_again_after_the_restart_and_is_never_reported_failed()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"] });
        await Drafts.ClaimForSendingAsync(TestActors.Agent, draft.DraftId, draft.Version, "crashed mid-send");

        await using var restarted = await TestStore.ReopenAsync(_store);
        var resolved = await restarted.Get<DraftsService>().ResolveAbandonedClaimsAsync(deliversOnCommit: true);

        Assert.Equal(1, resolved);
        var again = await restarted.Get<DraftQueries>().GetAsync(AccessScope.Organisation, _inbox, draft.DraftId);
        Assert.Equal(DraftState.Scheduled, again.State);
        Assert.Equal(DraftsService.InterruptedBeforeDeliveryReason, again.FailureReason);
        Assert.Null(again.ClaimedBy);
        await using var db = restarted.OpenDb();
        Assert.False(await db.Messages.AnyAsync());
        Assert.False(await db.Outbox.AnyAsync());
    }

    [Fact]
    public async Task An_smtp_send_cut_off_by_a_stop_becomes_delivery_uncertain_and_is_not_sent_again()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"] });
        await Drafts.ClaimForSendingAsync(TestActors.Agent, draft.DraftId, draft.Version, "crashed mid-send");

        await using var restarted = await TestStore.ReopenAsync(_store);
        await restarted.Get<DraftsService>().ResolveAbandonedClaimsAsync(deliversOnCommit: false);

        var uncertain = await restarted.Get<DraftQueries>().GetAsync(AccessScope.Organisation, _inbox, draft.DraftId);
        Assert.Equal(DraftState.Failed, uncertain.State);
        Assert.StartsWith("delivery uncertain", uncertain.FailureReason);
    }

    [Fact]
    public async Task A_live_claim_of_this_process_is_left_alone_by_the_sweep_until_its_lease_runs_out()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"] });
        var claimed = await Drafts.ClaimForSendingAsync(TestActors.Agent, draft.DraftId, draft.Version, "delivering");

        Assert.Equal(0, await Drafts.ResolveAbandonedClaimsAsync(deliversOnCommit: true));
        Assert.Equal(0, await Drafts.ResolveAbandonedClaimsAsync(deliversOnCommit: true));
        Assert.Equal(DraftState.Sending, (await _store.Get<DraftQueries>().GetAsync(AccessScope.Organisation, _inbox, draft.DraftId)).State);

        _store.Clock.Advance(claimed!.ClaimExpiresAt!.Value - _store.Clock.GetUtcNow().UtcDateTime + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Drafts.ResolveAbandonedClaimsAsync(deliversOnCommit: true));
    }

    [Fact]
    public async Task Every_committed_change_is_published_once_after_the_commit()
    {
        var changes = new List<DraftChange>();
        using var subscription = _store.Get<DraftChangeFeed>().Subscribe(changes.Add);

        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["a@example.com"] });
        await Drafts.UpdateAsync(TestActors.Supervisor, _inbox, draft.DraftId, new DraftPatch { Subject = "edited" });
        await Assert.ThrowsAsync<ValidationException>(() => Drafts.UpdateAsync(TestActors.Supervisor, _inbox, draft.DraftId, new DraftPatch { To = new Optional<IReadOnlyList<string>?>(true, ["bad"]) }));
        var outcome = await _store.Get<DraftSender>().SendAsync(TestActors.Supervisor, draft.DraftId, 2, "approved");

        Assert.Equal(SendResult.Sent, outcome.Result);
        Assert.Equal(
            [(DraftChangeKind.Created, DraftState.Pending), (DraftChangeKind.Updated, DraftState.Pending), (DraftChangeKind.Updated, DraftState.Sending), (DraftChangeKind.Sent, DraftState.Sending)],
            changes.Select(c => (c.Kind, c.State)));
        Assert.Equal(outcome.Message!.MessageId, changes[^1].MessageId);
    }

    [Fact]
    public async Task Removing_and_adding_attachments_keeps_exactly_the_bytes_the_draft_still_lists()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft
        {
            Attachments = [new NewAttachment("a.txt", "text/plain", null, null, "aaa"u8.ToArray()), new NewAttachment("b.txt", "text/plain", null, null, "bbb"u8.ToArray())],
        });
        var (a, b) = (draft.Attachments[0].AttachmentId, draft.Attachments[1].AttachmentId);

        var unknown = await Assert.ThrowsAsync<ValidationException>(() =>
            Drafts.UpdateAsync(TestActors.Agent, _inbox, draft.DraftId, new DraftPatch { RemoveAttachments = [a, "no-such-attachment"] }));
        Assert.Equal("remove_attachments", Assert.Single(unknown.Errors).Field);

        var updated = await Drafts.UpdateAsync(TestActors.Agent, _inbox, draft.DraftId, new DraftPatch
        {
            RemoveAttachments = [a],
            AddAttachments = [new NewAttachment("c.txt", "text/plain", null, null, "ccc"u8.ToArray())],
        });

        Assert.Equal(["b.txt", "c.txt"], updated.Attachments.Select(x => x.Filename));
        await using var db = _store.OpenDb();
        var stored = await db.AttachmentContents.Select(c => c.AttachmentId).ToListAsync();
        Assert.DoesNotContain(a, stored);
        Assert.Contains(b, stored);
        Assert.Contains(updated.Attachments[1].AttachmentId, stored);
    }

    [Fact]
    public async Task A_draft_whose_message_cannot_be_built_fails_with_the_reason_instead_of_staying_sending()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft
        {
            To = ["a@example.com"],
            Attachments = [new NewAttachment("a.txt", "text/plain", null, null, "hi"u8.ToArray())],
        });
        await using (var db = _store.OpenDb())
        {
            // Its bytes gone from under it: building the MIME message throws.
            await db.AttachmentContents.ExecuteDeleteAsync();
        }

        var outcome = await _store.Get<DraftSender>().SendAsync(TestActors.Agent, draft.DraftId, draft.Version, "test");

        Assert.Equal(SendResult.Failed, outcome.Result);
        var failed = await _store.Get<DraftQueries>().GetAsync(AccessScope.Organisation, _inbox, draft.DraftId);
        Assert.Equal(DraftState.Failed, failed.State);
        Assert.StartsWith("delivery failed before the message left", failed.FailureReason);
        Assert.Null(failed.ClaimedBy);
    }
}
