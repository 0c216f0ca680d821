using AgentMail.Review.Core.Drafts;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// The queue reads every open console makes after a change, made once for all of them: the counts, and each page
/// (filter, order, page start) that consoles are showing. A console is handed a read that began after every change
/// the stream had handed out when it asked (<see cref="IDraftChangeStream.Position"/>), so it sees what it was told
/// of; with a hundred consoles open on the same page, a change costs one page query and one count instead of a
/// hundred of each. A read is shared for at most <see cref="Lifetime"/>, so counts that move with the clock alone
/// (drafts falling due) stay as fresh as the second.
/// </summary>
public sealed class SharedQueueReads(ReviewQueue store, IDraftChangeStream changes, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<ReadKey, Read> _latest = [];

    /// <summary>One page in the given order, read no earlier than the last change handed out.</summary>
    public Task<QueuePage> PageAsync(QueueFilter filter, QueueSort sort, int pageSize, QueueCursor? after) =>
        ShareAsync(ReadKey.Page(filter, sort, pageSize, after), () => store.PageAsync(filter, sort, pageSize, after));

    /// <summary>The organisation's counts, read no earlier than the last change handed out.</summary>
    public Task<QueueCounts> CountsAsync() => ShareAsync(ReadKey.Counts, () => store.CountsAsync());

    private async Task<T> ShareAsync<T>(ReadKey key, Func<Task<T>> read)
    {
        var position = changes.Position;
        var now = clock.GetTimestamp();
        var mine = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<object>? shared = null;
        lock (_gate)
        {
            if (_latest.TryGetValue(key, out var latest) && Serves(latest, position, now))
            {
                shared = latest.Result.Task;
            }
            else
            {
                // A read that cannot serve whoever asks now can serve nobody who asks later.
                foreach (var stale in _latest.Where(r => !Serves(r.Value, position, now)).Select(r => r.Key).ToList())
                {
                    _latest.Remove(stale);
                }

                _latest[key] = new Read(position, now, mine);
            }
        }

        if (shared is not null)
        {
            return (T)await shared;
        }

        try
        {
            var result = await read();
            mine.SetResult(result!);
            return result;
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                if (_latest.TryGetValue(key, out var current) && current.Result == mine)
                {
                    _latest.Remove(key);
                }
            }

            mine.SetException(e);
            throw;
        }
    }

    private bool Serves(Read read, long position, long now) => read.Position >= position && clock.GetElapsedTime(read.StartedAt, now) < Lifetime;

    private sealed record Read(long Position, long StartedAt, TaskCompletionSource<object> Result);

    /// <summary>What identifies a read: the same key is the same query.</summary>
    private sealed record ReadKey(string Shape)
    {
        public static readonly ReadKey Counts = new("counts");

        public static ReadKey Page(QueueFilter filter, QueueSort sort, int pageSize, QueueCursor? after) => new(string.Join('\u001f',
            "page",
            string.Join(',', filter.States.Order()),
            filter.InboxId,
            filter.Label,
            filter.Text,
            filter.DueWithin?.Ticks,
            filter.AwaitingApproval,
            sort,
            pageSize,
            after?.Key,
            after?.DraftId));
    }
}
