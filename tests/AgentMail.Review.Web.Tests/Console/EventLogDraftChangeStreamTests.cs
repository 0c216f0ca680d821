using System.Collections.Concurrent;
using System.Net.Http.Json;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Events;
using AgentMail.Review.Web.Console;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentMail.Review.Web.Tests.Console;

/// <summary>
/// The consoles' stream for several instances reads the event log; here on one host's SQLite store, next to the
/// in-process feed, which it must agree with for every change a console shows.
/// </summary>
public sealed class EventLogDraftChangeStreamTests : IClassFixture<ReviewApiFactory>
{
    private readonly ReviewApiFactory _factory;

    public EventLogDraftChangeStreamTests(ReviewApiFactory factory) => _factory = factory;

    [Fact]
    public async Task Draft_changes_read_from_the_log_say_what_the_in_process_feed_says()
    {
        using var api = _factory.CreateAgentClient();
        var services = _factory.Services;
        using var fromLog = new EventLogDraftChangeStream(
            services.GetRequiredService<EventLogReader>(), services.GetRequiredService<EventSignal>(), TimeProvider.System,
            services.GetRequiredService<ILogger<EventLogDraftChangeStream>>());
        var logged = new ConcurrentQueue<DraftChange>();
        var published = new ConcurrentQueue<DraftChange>();
        using var logSubscription = fromLog.Subscribe(c => { logged.Enqueue(c); return Task.CompletedTask; });
        using var feedSubscription = services.GetRequiredService<InProcessDraftChangeStream>().Subscribe(c => { published.Enqueue(c); return Task.CompletedTask; });
        await fromLog.StartAsync(CancellationToken.None);
        try
        {
            var inbox = (await (await api.PostAsJsonAsync("/v0/inboxes", new { username = $"log-{Guid.NewGuid():N}"[..12] })).Content.ReadFromJsonAsync<Dictionary<string, object>>())!["inbox_id"].ToString();
            var created = await (await api.PostAsJsonAsync($"/v0/inboxes/{inbox}/drafts", new { to = new[] { "bob@example.com" }, subject = "first" })).Content.ReadFromJsonAsync<Dictionary<string, object>>();
            var draftId = created!["draft_id"].ToString()!;
            (await api.PatchAsJsonAsync($"/v0/inboxes/{inbox}/drafts/{draftId}", new { subject = "second" })).EnsureSuccessStatusCode();
            (await api.DeleteAsync($"/v0/inboxes/{inbox}/drafts/{draftId}")).EnsureSuccessStatusCode();

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (logged.Count(c => c.DraftId == draftId) < 3 || published.Count(c => c.DraftId == draftId) < 3)
            {
                Assert.True(DateTime.UtcNow < deadline, $"log: {logged.Count(c => c.DraftId == draftId)}, feed: {published.Count(c => c.DraftId == draftId)} changes");
                await Task.Delay(20);
            }

            static object Shown(DraftChange c) => new { c.Kind, c.DraftId, c.InboxId, c.Version, c.State, c.SendAt, ActorKind = c.Actor.Kind, ActorId = c.Actor.Id, c.Actor.DisplayName, c.At, c.MessageId };
            var fromTheLog = logged.Where(c => c.DraftId == draftId).Select(Shown).ToList();
            Assert.Equal(published.Where(c => c.DraftId == draftId).Select(Shown).ToList(), fromTheLog);
            Assert.Equal([DraftChangeKind.Created, DraftChangeKind.Updated, DraftChangeKind.Deleted], logged.Where(c => c.DraftId == draftId).Select(c => c.Kind));
        }
        finally
        {
            await fromLog.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void A_sent_draft_is_one_change_and_message_events_are_none()
    {
        var draft = new Draft { DraftId = "d1", InboxId = "sales@example.com", ThreadId = "t1", Version = 4, State = DraftState.Sending };
        var facts = new EventFacts { Draft = draft, Actor = new EventActor("person", "sue@example.com", "subject-1") };
        var sent = Record(EventTypes.DraftSent, System.Text.Json.JsonSerializer.Serialize(facts), "<d1@example.com>");

        var change = EventLogDraftChangeStream.ToChange(sent);

        Assert.NotNull(change);
        Assert.Equal(DraftChangeKind.Sent, change.Kind);
        // As the in-process feed says it: the version the removal ended.
        Assert.Equal(5, change.Version);
        Assert.Equal("<d1@example.com>", change.MessageId);
        Assert.Equal(("subject-1", "sue@example.com", Core.Common.ActorKind.Person), (change.Actor.Id, change.Actor.DisplayName, change.Actor.Kind));
        Assert.Null(EventLogDraftChangeStream.ToChange(Record(EventTypes.MessageSent, "{}", "<d1@example.com>")));
        Assert.Null(EventLogDraftChangeStream.ToChange(Record(EventTypes.MessageReceived, "{}", "<m@example.com>")));
    }

    private static EventRecord Record(string type, string facts, string? messageId) => new()
    {
        EventId = $"evt_{Guid.NewGuid():N}",
        EventType = type,
        InboxId = "sales@example.com",
        MessageId = messageId,
        OccurredAt = DateTime.UtcNow,
        Facts = facts,
    };
}
