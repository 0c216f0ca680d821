using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Drafts;

public enum QueueSort
{
    UpdatedNewest,
    UpdatedOldest,
    SendSoonest,
}

/// <summary>What a supervisor narrows the queue to. Empty fields do not filter.</summary>
public sealed record QueueFilter
{
    public IReadOnlySet<DraftState> States { get; init; } = new HashSet<DraftState>();

    public string? InboxId { get; init; }

    public string? Label { get; init; }

    /// <summary>Words matched against subject, body, recipients and labels (<see cref="IDraftTextSearch"/>).</summary>
    public string? Text { get; init; }

    /// <summary>Only scheduled drafts going out within this long from now.</summary>
    public TimeSpan? DueWithin { get; init; }

    /// <summary>Only drafts due and held for a supervisor's approval (<see cref="ReviewRules.DueAwaitingApproval"/>).</summary>
    public bool AwaitingApproval { get; init; }
}

/// <summary>Where a page starts: the last row of the page before it, in the current sort.</summary>
public sealed record QueueCursor(long Key, string DraftId);

/// <summary>One grid row: what the queue shows, without the bodies.</summary>
public sealed record QueueRow(
    string DraftId,
    string InboxId,
    DraftState State,
    IReadOnlyList<string> To,
    IReadOnlyList<string> Cc,
    IReadOnlyList<string> Bcc,
    string? Subject,
    string? Preview,
    IReadOnlyList<string> Labels,
    DateTime? SendAt,
    string? FailureReason,
    int AttachmentCount,
    long Version,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    bool AwaitingApproval = false,
    string? SendRequestedBy = null,
    string? HeldReason = null,
    DateTime? ReplyReceivedAt = null,
    string? ChangesRequested = null);

/// <summary>A draft at one version: what a bulk action acts on.</summary>
public sealed record DraftKey(string InboxId, string DraftId, long Version);

public sealed record QueuePage(IReadOnlyList<QueueRow> Rows, QueueCursor? Next);

/// <summary>Drafts per state across the organisation, and those due and held for a supervisor (<see cref="ReviewRules.DueAwaitingApproval"/>).</summary>
public sealed record QueueCounts(IReadOnlyDictionary<DraftState, int> ByState, int AwaitingApproval);

/// <summary>
/// The supervisor console's reads: one keyset page of the organisation's drafts in the chosen order, and counts
/// per state. Filtering, sorting and paging happen in SQLite; rows carry no bodies.
/// </summary>
public sealed class ReviewQueue(IDbContextFactory<ReviewDbContext> dbFactory, IDraftTextSearch search, TimeProvider clock)
{
    private static readonly TimeSpan LabelsLifetime = TimeSpan.FromSeconds(30);

    private (DateTimeOffset At, IReadOnlyList<string> Labels)? _labels;

    public async Task<QueuePage> PageAsync(QueueFilter filter, QueueSort sort, int pageSize, QueueCursor? after, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = Filter(db, db.Drafts.AsNoTracking(), filter);

        switch (sort)
        {
            case QueueSort.UpdatedNewest:
                if (after is not null)
                {
                    var at = new DateTime(after.Key, DateTimeKind.Utc);
                    query = query.Where(d => d.UpdatedAt < at || (d.UpdatedAt == at && string.Compare(d.DraftId, after.DraftId) < 0));
                }

                query = query.OrderByDescending(d => d.UpdatedAt).ThenByDescending(d => d.DraftId);
                break;
            case QueueSort.UpdatedOldest:
                if (after is not null)
                {
                    var at = new DateTime(after.Key, DateTimeKind.Utc);
                    query = query.Where(d => d.UpdatedAt > at || (d.UpdatedAt == at && string.Compare(d.DraftId, after.DraftId) > 0));
                }

                query = query.OrderBy(d => d.UpdatedAt).ThenBy(d => d.DraftId);
                break;
            case QueueSort.SendSoonest:
                // Only drafts with a send time have a place in this order.
                query = query.Where(d => d.SendAt != null);
                if (after is not null)
                {
                    DateTime? at = new DateTime(after.Key, DateTimeKind.Utc);
                    query = query.Where(d => d.SendAt > at || (d.SendAt == at && string.Compare(d.DraftId, after.DraftId) > 0));
                }

                query = query.OrderBy(d => d.SendAt).ThenBy(d => d.DraftId);
                break;
        }

        var rows = (await query
            .Select(Row(db, clock.UtcNowMs()))
            .Take(pageSize + 1)
            .ToListAsync(ct)).ConvertAll(WithLabelsShown);

        if (rows.Count <= pageSize)
        {
            return new QueuePage(rows, null);
        }

        rows.RemoveAt(rows.Count - 1);
        var last = rows[^1];
        var key = sort == QueueSort.SendSoonest ? last.SendAt!.Value.Ticks : last.UpdatedAt.Ticks;
        return new QueuePage(rows, new QueueCursor(key, last.DraftId));
    }

    public async Task<QueueRow?> RowAsync(string draftId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Drafts.AsNoTracking().Where(d => d.DraftId == draftId).Select(Row(db, clock.UtcNowMs())).FirstOrDefaultAsync(ct);
        return row is null ? null : WithLabelsShown(row);
    }

    /// <summary>How many drafts match the filter, across every page ("select all N matching").</summary>
    public async Task<int> CountMatchingAsync(QueueFilter filter, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Filter(db, db.Drafts.AsNoTracking(), filter).CountAsync(ct);
    }

    /// <summary>
    /// Every draft matching the filter as id, inbox and the version it has now (at most <paramref name="limit"/>): what a
    /// bulk action over the whole filter acts on, each only at that version.
    /// </summary>
    public async Task<IReadOnlyList<DraftKey>> MatchingAsync(QueueFilter filter, int limit, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Filter(db, db.Drafts.AsNoTracking(), filter)
            .OrderBy(d => d.DraftId)
            .Select(d => new DraftKey(d.InboxId, d.DraftId, d.Version))
            .Take(limit)
            .ToListAsync(ct);
    }

    /// <summary>
    /// How many drafts are in each state across the organisation, and how many are due and held for a supervisor.
    /// Counting walks an index over every draft: consoles share one count per change (the console's shared reads).
    /// </summary>
    public async Task<QueueCounts> CountsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Drafts.AsNoTracking().GroupBy(d => d.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var counts = Enum.GetValues<DraftState>().ToDictionary(s => s, s => rows.FirstOrDefault(c => c.Key == s)?.Count ?? 0);
        var awaiting = await db.Drafts.AsNoTracking().DueAwaitingApproval(db, clock.UtcNowMs()).CountAsync(ct);
        return new QueueCounts(counts, awaiting);
    }

    /// <summary>
    /// The labels on drafts now, for autocomplete: at most 200, in order. One read of every draft's labels, so all
    /// consoles share it for half a minute (a label just added shows up in its own draft at once anyway).
    /// </summary>
    public async Task<IReadOnlyList<string>> LabelsInUseAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        if (_labels is { } cached && now - cached.At < LabelsLifetime)
        {
            return cached.Labels;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // One column of the labelled drafts, gathered here: SQLite cannot flatten a JSON column across rows in one query.
        var lists = await db.Drafts.AsNoTracking().Where(d => d.Labels.Any()).Select(d => d.Labels).ToListAsync(ct);
        var labels = lists.SelectMany(l => l).Where(l => l != Draft.ScheduledLabel).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(200).ToList();
        _labels = (now, labels);
        return labels;
    }

    /// <summary>The inboxes and labels a supervisor can filter by.</summary>
    public async Task<IReadOnlyList<string>> InboxIdsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Inboxes.AsNoTracking().OrderBy(i => i.InboxId).Select(i => i.InboxId).ToListAsync(ct);
    }

    /// <summary>
    /// A grid row, with whether the draft is due but held for a supervisor's approval (<see cref="ReviewRules.DueAwaitingApproval"/>),
    /// which agent asked to send it, why it was taken off the schedule, and when its thread last received a reply.
    /// </summary>
    private static System.Linq.Expressions.Expression<Func<Draft, QueueRow>> Row(ReviewDbContext db, DateTime now) => ReviewRules.WithAwaitingApproval<QueueRow>((d, awaiting) => new QueueRow(
        d.DraftId, d.InboxId, d.State, d.To, d.Cc, d.Bcc, d.Subject, d.Preview, d.Labels, d.SendAt, d.FailureReason, d.Attachments.Count, d.Version, d.CreatedAt, d.UpdatedAt,
        awaiting,
        d.SendRequestedBy,
        d.HeldReason,
        db.Threads.Where(t => t.ThreadId == d.ThreadId && t.InboxId == d.InboxId).Select(t => t.ReceivedTimestamp).FirstOrDefault(),
        d.ChangesRequested), db, now);

    private static QueueRow WithLabelsShown(QueueRow row) => row with { Labels = Draft.LabelsShown(row.State, row.Labels) };

    private IQueryable<Draft> Filter(ReviewDbContext db, IQueryable<Draft> query, QueueFilter filter)
    {
        if (filter.AwaitingApproval)
        {
            query = query.DueAwaitingApproval(db, clock.UtcNowMs());
        }

        if (filter.States.Count > 0)
        {
            var states = filter.States.ToList();
            query = query.Where(d => states.Contains(d.State));
        }

        if (!string.IsNullOrWhiteSpace(filter.InboxId))
        {
            query = query.Where(d => d.InboxId == filter.InboxId);
        }

        if (!string.IsNullOrWhiteSpace(filter.Label))
        {
            var label = filter.Label.Trim();
            query = label == Draft.ScheduledLabel
                ? query.Where(d => d.State == DraftState.Scheduled)
                : query.Where(d => d.Labels.Contains(label));
        }

        if (!string.IsNullOrWhiteSpace(filter.Text) && search.Matching(db, filter.Text) is { } matching)
        {
            query = query.Where(d => matching.Contains(d.DraftId));
        }

        if (filter.DueWithin is { } within)
        {
            var until = clock.UtcNowMs() + within;
            query = query.Where(d => d.State == DraftState.Scheduled && d.SendAt <= until);
        }

        return query;
    }
}
