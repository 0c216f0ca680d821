using System.Text.Json;
using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Tests.Drafts;

/// <summary>A supervisor's feedback on an agent's draft: a request for changes, and the agent's own version kept beside the edits.</summary>
public sealed class ReviewFeedbackTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private string _inbox = null!;

    private DraftsService Drafts => _store.Get<DraftsService>();

    private DateTime Now => _store.Clock.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        _inbox = (await _store.CreateInboxAsync()).InboxId;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private async Task<Draft> StoredAsync(string draftId)
    {
        await using var db = _store.OpenDb();
        return await db.Drafts.AsNoTracking().SingleAsync(d => d.DraftId == draftId);
    }

    private Task<IReadOnlyList<AuditEntry>> AuditAsync(string draftId) => _store.Get<AuditTrail>().ForDraftAsync(draftId);

    [Fact]
    public async Task Requesting_changes_takes_an_approved_draft_off_the_schedule_and_keeps_the_reason_for_the_agent()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["bob@example.com"], Subject = "Offer", Text = "20% off", SendAt = Now.AddHours(1) });
        var approved = await Drafts.ApproveAsync(TestActors.Supervisor, _inbox, draft.DraftId, draft.Version, Now.AddHours(1));
        _store.Clock.Advance(TimeSpan.FromMinutes(1));

        var sentBack = await Drafts.RequestChangesAsync(TestActors.Supervisor, _inbox, draft.DraftId, approved.Version, "  Offer 10%, not 20%.  ");

        var stored = await StoredAsync(draft.DraftId);
        Assert.Equal(DraftState.Pending, stored.State);
        Assert.Null(stored.SendAt);
        Assert.Null(stored.ApprovedAt);
        Assert.Equal("Offer 10%, not 20%.", stored.ChangesRequested);
        Assert.Equal("supervisor@example.com", stored.ChangesRequestedBy);
        Assert.Equal(Now, stored.ChangesRequestedAt);
        Assert.Equal(approved.Version + 1, sentBack.Version);
        var entry = (await AuditAsync(draft.DraftId)).Last();
        Assert.Equal(AuditActions.ChangesRequested, entry.Action);
        Assert.Equal("Offer 10%, not 20%.", JsonDocument.Parse(entry.Details!).RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task The_agents_revision_answers_the_request_but_a_label_change_does_not()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["bob@example.com"], Subject = "Offer", Text = "20% off" });
        draft = await Drafts.RequestChangesAsync(TestActors.Supervisor, _inbox, draft.DraftId, draft.Version, "10%, please");

        draft = await Drafts.UpdateAsync(TestActors.Agent, _inbox, draft.DraftId, new DraftPatch { AddLabels = ["pricing"] });
        Assert.Equal("10%, please", (await StoredAsync(draft.DraftId)).ChangesRequested);

        await Drafts.UpdateAsync(TestActors.Agent, _inbox, draft.DraftId, new DraftPatch { Text = "10% off" });
        var revised = await StoredAsync(draft.DraftId);
        Assert.Null(revised.ChangesRequested);
        Assert.Null(revised.ChangesRequestedBy);
    }

    [Fact]
    public async Task Only_a_person_requests_changes_and_only_with_a_reason()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["bob@example.com"], Subject = "Offer" });

        await Assert.ThrowsAsync<ForbiddenException>(() => Drafts.RequestChangesAsync(TestActors.Agent, _inbox, draft.DraftId, draft.Version, "change it"));
        await Assert.ThrowsAsync<ValidationException>(() => Drafts.RequestChangesAsync(TestActors.Supervisor, _inbox, draft.DraftId, draft.Version, "   "));
        await Assert.ThrowsAsync<ValidationException>(() => Drafts.RequestChangesAsync(TestActors.Supervisor, _inbox, draft.DraftId, draft.Version, new string('x', DraftsService.MaxChangesRequestedLength + 1)));
        await Assert.ThrowsAsync<ConflictException>(() => Drafts.RequestChangesAsync(TestActors.Supervisor, _inbox, draft.DraftId, draft.Version + 5, "stale"));
        Assert.Null((await StoredAsync(draft.DraftId)).ChangesRequested);
    }

    [Fact]
    public async Task The_agents_version_is_kept_through_a_supervisors_edit_and_the_approval_records_what_differs()
    {
        var draft = await Drafts.CreateAsync(TestActors.Agent, _inbox, new NewDraft { To = ["bob@example.com"], Subject = "Offer", Text = "Dear Bob,\n20% off\nBest" });
        draft = await Drafts.UpdateAsync(TestActors.Supervisor, _inbox, draft.DraftId, new DraftPatch { Text = "Dear Bob,\n10% off\nBest", Cc = new Optional<IReadOnlyList<string>?>(true, ["boss@example.com"]) });

        var stored = await StoredAsync(draft.DraftId);
        Assert.Equal("Dear Bob,\n20% off\nBest", stored.AgentVersion!.Text);
        Assert.Empty(stored.AgentVersion.Cc);
        Assert.Equal(["cc", "text"], stored.ChangesFromAgentVersion());

        await Drafts.ApproveAsync(TestActors.Supervisor, _inbox, draft.DraftId, draft.Version, Now);
        var approval = (await AuditAsync(draft.DraftId)).Last(e => e.Action == AuditActions.Approved);
        Assert.Equal(["cc", "text"], JsonDocument.Parse(approval.Details!).RootElement.GetProperty("changed_from_agent").EnumerateArray().Select(e => e.GetString()));

        // A draft a person wrote has no agent's version to compare with.
        var own = await Drafts.CreateAsync(TestActors.Supervisor, _inbox, new NewDraft { To = ["a@example.com"], Text = "mine" });
        Assert.Null((await StoredAsync(own.DraftId)).AgentVersion);
    }
}
