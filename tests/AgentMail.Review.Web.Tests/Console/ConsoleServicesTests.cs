using System.Globalization;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Console;
using Microsoft.Extensions.Time.Testing;

namespace AgentMail.Review.Web.Tests.Console;

/// <summary>The console's plain helpers: the throttled subscription, delayed deletes, typed dates and times.</summary>
public sealed class ConsoleServicesTests
{
    private sealed class ManualStream : IDraftChangeStream
    {
        private Func<DraftChange, Task>? _subscriber;

        public bool Subscribed => _subscriber is not null;

        public long Position { get; private set; }

        public IDisposable Subscribe(Func<DraftChange, Task> onChange)
        {
            _subscriber = onChange;
            return new Unsubscribe(() => _subscriber = null);
        }

        public Task PublishAsync(string draftId)
        {
            Position++;
            return _subscriber?.Invoke(new DraftChange(DraftChangeKind.Updated, draftId, "inbox", 1, DraftState.Pending, null, Actor.System, DateTime.UtcNow)) ?? Task.CompletedTask;
        }

        private sealed class Unsubscribe(Action action) : IDisposable
        {
            public void Dispose() => action();
        }
    }

    [Fact]
    public async Task The_throttled_subscription_runs_one_refresh_at_a_time_and_folds_what_arrives_meanwhile()
    {
        var stream = new ManualStream();
        var batches = new List<string[]>();
        var inFlight = 0;
        var maxInFlight = 0;
        var release = new TaskCompletionSource();
        using var subscription = new ThrottledChangeSubscription(stream, async batch =>
        {
            maxInFlight = Math.Max(maxInFlight, Interlocked.Increment(ref inFlight));
            batches.Add(batch.Select(c => c.DraftId).ToArray());
            if (batches.Count == 1)
            {
                await release.Task;
            }

            Interlocked.Decrement(ref inFlight);
        });

        var first = stream.PublishAsync("a");
        foreach (var id in new[] { "b", "c", "d" })
        {
            await stream.PublishAsync(id);
        }

        Assert.Equal([["a"]], batches);
        release.SetResult();
        await first;

        Assert.Equal([["a"], ["b", "c", "d"]], batches);
        Assert.Equal(1, maxInFlight);
        Assert.Equal(2, subscription.Refreshes);
    }

    [Fact]
    public async Task The_throttled_subscription_stops_with_its_component()
    {
        var stream = new ManualStream();
        var refreshes = 0;
        var subscription = new ThrottledChangeSubscription(stream, _ => { refreshes++; return Task.CompletedTask; });

        subscription.Dispose();
        await stream.PublishAsync("a");

        Assert.False(stream.Subscribed);
        Assert.Equal(0, refreshes);
    }

    private static QueueRow Row(string id) => new(id, "inbox", DraftState.Pending, [], [], [], id, null, [], null, null, 0, 1, DateTime.UtcNow, DateTime.UtcNow);

    [Fact]
    public async Task A_delayed_delete_is_made_when_the_window_ends_and_not_after_undo()
    {
        var clock = new FakeTimeProvider();
        var deleted = new List<string>();
        var deletes = new DelayedDeletes(clock, TimeSpan.FromSeconds(5), rows => { lock (deleted) { deleted.AddRange(rows.Select(r => r.DraftId)); } return Task.CompletedTask; });

        await deletes.ScheduleAsync([Row("a"), Row("b")]);
        await deletes.ScheduleAsync([Row("c")]);
        Assert.True(deletes.Undo("b"));
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Empty(deleted);
        Assert.True(deletes.IsWaiting("a"));

        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(["a", "c"], deleted.Order());
        Assert.False(deletes.IsWaiting("a"));
        Assert.False(deletes.Undo("a"));
        await deletes.DisposeAsync();
        Assert.Equal(2, deleted.Count);
    }

    [Fact]
    public async Task Delayed_deletes_still_waiting_are_made_when_their_owner_goes_away()
    {
        var deleted = new List<string>();
        var deletes = new DelayedDeletes(new FakeTimeProvider(), TimeSpan.FromSeconds(5), rows => { deleted.AddRange(rows.Select(r => r.DraftId)); return Task.CompletedTask; });
        await deletes.ScheduleAsync([Row("a")]);

        await deletes.DisposeAsync();

        Assert.Equal(["a"], deleted);
    }

    [Theory]
    [InlineData("en-US", "12/02/2026", 2026, 12, 2)]
    [InlineData("en-US", "12/2/26", 2026, 12, 2)]
    [InlineData("en-GB", "02/12/2026", 2026, 12, 2)]
    [InlineData("en-GB", "2.12.2026", 2026, 12, 2)]
    [InlineData("de-DE", "02.12.2026", 2026, 12, 2)]
    [InlineData("en-GB", "2026-12-02", 2026, 12, 2)]
    public void Dates_are_read_in_the_locales_order(string culture, string text, int year, int month, int day)
    {
        Assert.True(LocalTimeInput.TryParseDate(text, CultureInfo.GetCultureInfo(culture), out var date));
        Assert.Equal(new DateTime(year, month, day), date);
    }

    [Theory]
    [InlineData("en-US", "13/02/2026")]
    [InlineData("en-GB", "31/02/2026")]
    [InlineData("en-GB", "tomorrow")]
    public void What_is_no_date_is_refused(string culture, string text) =>
        Assert.False(LocalTimeInput.TryParseDate(text, CultureInfo.GetCultureInfo(culture), out _));

    [Theory]
    [InlineData("en-US", "2:30 PM", 14, 30)]
    [InlineData("en-US", "2:30pm", 14, 30)]
    [InlineData("en-US", "12:05 AM", 0, 5)]
    [InlineData("en-US", "12 PM", 12, 0)]
    [InlineData("en-US", "9:30 a.m.", 9, 30)]
    [InlineData("en-US", "14:30", 14, 30)]
    [InlineData("en-GB", "14:30", 14, 30)]
    [InlineData("en-GB", "1430", 14, 30)]
    [InlineData("en-GB", "9", 9, 0)]
    [InlineData("de-DE", "14.30", 14, 30)]
    public void Times_are_read_on_either_clock(string culture, string text, int hours, int minutes)
    {
        Assert.True(LocalTimeInput.TryParseTime(text, CultureInfo.GetCultureInfo(culture), out var time));
        Assert.Equal(new TimeSpan(hours, minutes, 0), time);
    }

    [Theory]
    [InlineData("25:00")]
    [InlineData("13:00 PM")]
    [InlineData("2:3")]
    [InlineData("soon")]
    public void What_is_no_time_is_refused(string text) =>
        Assert.False(LocalTimeInput.TryParseTime(text, CultureInfo.GetCultureInfo("en-US"), out _));

    [Theory]
    [InlineData(10, 7, 11, 30)]
    [InlineData(10, 30, 11, 30)]
    [InlineData(10, 31, 12, 0)]
    [InlineData(10, 0, 11, 0)]
    [InlineData(23, 45, 25, 0)]
    public void The_default_send_time_is_a_round_time_at_least_an_hour_away(int hour, int minute, int expectedHour, int expectedMinute)
    {
        var now = new DateTime(2026, 12, 1).AddHours(hour).AddMinutes(minute);
        Assert.Equal(new DateTime(2026, 12, 1).AddHours(expectedHour).AddMinutes(expectedMinute), SendTimePresets.RoundDefault(now));
    }
}
