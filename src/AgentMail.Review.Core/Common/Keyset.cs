using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Common;

/// <summary>A list's order: a timestamp, then an id to break ties. Declare one per list, once (it compiles its readers).</summary>
internal sealed class KeysetOrder<T>(Expression<Func<T, DateTime>> at, Expression<Func<T, string>> id)
{
    public Expression<Func<T, DateTime>> At { get; } = at;

    public Expression<Func<T, string>> Id { get; } = id;

    public Func<T, DateTime> ReadAt { get; } = at.Compile();

    public Func<T, string> ReadId { get; } = id.Compile();
}

/// <summary>
/// One page of a list ordered by a timestamp and an id, read from where the page token says the last page ended.
/// Every page is an index seek, so page 2,000 costs what page 1 costs.
/// </summary>
internal static class Keyset
{
    public static async Task<Page<T>> PageAsync<T>(IQueryable<T> query, KeysetOrder<T> order, ListRequest request, CancellationToken ct)
    {
        var (at, id) = (order.At, order.Id);
        if (request.Before is { } before)
        {
            query = query.Where(Compare(at, ExpressionType.LessThan, before));
        }

        if (request.After is { } after)
        {
            query = query.Where(Compare(at, ExpressionType.GreaterThan, after));
        }

        var ascending = request.PageToken?.Ascending ?? request.Ascending;
        if (request.PageToken is { } token)
        {
            query = query.Where(After(at, id, token, ascending));
        }

        query = ascending
            ? query.OrderBy(at).ThenBy(id)
            : query.OrderByDescending(at).ThenByDescending(id);

        var rows = await query.Take(request.Limit + 1).ToListAsync(ct);
        if (rows.Count <= request.Limit)
        {
            return new Page<T>(rows, request.Limit, null);
        }

        rows.RemoveAt(rows.Count - 1);
        var last = rows[^1];
        var next = new PageToken(order.ReadAt(last), order.ReadId(last), ascending).Encode();
        return new Page<T>(rows, request.Limit, next);
    }

    /// <summary><c>at &gt; token.At || (at == token.At &amp;&amp; id &gt; token.Id)</c>, or the mirror image descending.</summary>
    private static Expression<Func<T, bool>> After<T>(Expression<Func<T, DateTime>> at, Expression<Func<T, string>> id, PageToken token, bool ascending)
    {
        var row = at.Parameters[0];
        var idBody = new ReplaceParameter(id.Parameters[0], row).Visit(id.Body);
        // Read through a captured variable, so EF sends the values as parameters (@token_At, @token_Id) and every
        // page shares one cached query plan.
        Expression<Func<PageToken>> captured = () => token;
        var tokenAt = Expression.Property(captured.Body, nameof(PageToken.At));
        var tokenId = Expression.Property(captured.Body, nameof(PageToken.Id));
        var comparison = ascending ? ExpressionType.GreaterThan : ExpressionType.LessThan;
        var idCompare = Expression.MakeBinary(
            comparison,
            Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, idBody, tokenId),
            Expression.Constant(0));
        var body = Expression.OrElse(
            Expression.MakeBinary(comparison, at.Body, tokenAt),
            Expression.AndAlso(Expression.Equal(at.Body, tokenAt), idCompare));
        return Expression.Lambda<Func<T, bool>>(body, row);
    }

    private static Expression<Func<T, bool>> Compare<T>(Expression<Func<T, DateTime>> at, ExpressionType comparison, DateTime value)
    {
        Expression<Func<DateTime>> captured = () => value;
        return Expression.Lambda<Func<T, bool>>(Expression.MakeBinary(comparison, at.Body, captured.Body), at.Parameters);
    }

    private sealed class ReplaceParameter(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
