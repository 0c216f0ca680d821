using AgentMail.Review.Core.Drafts;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// Delete with undo: a deleted draft waits out the undo window in the console before the delete is made, so
/// "Undo" only has to forget it. When the window ends, or the page goes away (navigation, closed circuit), every
/// delete still waiting is made; none is lost and none is made after an undo.
/// </summary>
public sealed class DelayedDeletes(TimeProvider clock, TimeSpan window, Func<IReadOnlyList<QueueRow>, Task> delete) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Batch> _waiting = [];
    private bool _disposed;

    public TimeSpan Window => window;

    public bool IsWaiting(string draftId)
    {
        lock (_gate)
        {
            return _waiting.ContainsKey(draftId);
        }
    }

    public IReadOnlyCollection<string> WaitingIds
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Keys.ToList();
            }
        }
    }

    /// <summary>Starts the window for these drafts; they are deleted together when it ends.</summary>
    public async Task ScheduleAsync(IReadOnlyList<QueueRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var batch = new Batch(rows.ToList());
        lock (_gate)
        {
            if (!_disposed && window > TimeSpan.Zero)
            {
                foreach (var row in rows)
                {
                    _waiting[row.DraftId] = batch;
                }

                batch.Timer = clock.CreateTimer(_ => _ = RunAsync(batch), null, window, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        await RunAsync(batch);
    }

    /// <summary>Takes a draft out of its waiting delete; false when it was no longer waiting (already made).</summary>
    public bool Undo(string draftId)
    {
        lock (_gate)
        {
            if (!_waiting.Remove(draftId, out var batch))
            {
                return false;
            }

            batch.Rows.RemoveAll(r => r.DraftId == draftId);
            if (batch.Rows.Count == 0)
            {
                batch.Timer?.Dispose();
            }

            return true;
        }
    }

    /// <summary>Makes every waiting delete now.</summary>
    public async Task FlushAsync()
    {
        List<Batch> batches;
        lock (_gate)
        {
            batches = _waiting.Values.Distinct().ToList();
        }

        foreach (var batch in batches)
        {
            await RunAsync(batch);
        }
    }

    private async Task RunAsync(Batch batch)
    {
        List<QueueRow> rows;
        lock (_gate)
        {
            batch.Timer?.Dispose();
            rows = batch.Rows.Where(r => _waiting.GetValueOrDefault(r.DraftId) == batch).ToList();
            foreach (var row in rows)
            {
                _waiting.Remove(row.DraftId);
            }

            batch.Rows.Clear();
        }

        if (rows.Count > 0)
        {
            await delete(rows);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await FlushAsync();
        lock (_gate)
        {
            _disposed = true;
        }
    }

    private sealed class Batch(List<QueueRow> rows)
    {
        public List<QueueRow> Rows { get; } = rows;

        public ITimer? Timer { get; set; }
    }
}
