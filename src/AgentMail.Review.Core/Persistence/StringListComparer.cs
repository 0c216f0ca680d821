using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace AgentMail.Review.Core.Persistence;

/// <summary>
/// How the change tracker compares, hashes and snapshots a column that holds a list of strings (recipients, labels,
/// references). EF Core's own comparer for such columns builds a delegate on every comparison and snapshot
/// (<c>DynamicMethod.CreateDelegate</c>, 6 % of a create's CPU when profiled); these expressions call plain methods,
/// compiled once.
/// </summary>
public sealed class StringListComparer() : ValueComparer<List<string>>(
    (left, right) => Same(left, right),
    list => HashOf(list),
    list => Copy(list))
{
    public static bool Same(List<string>? left, List<string>? right) =>
        ReferenceEquals(left, right) || (left is not null && right is not null && left.SequenceEqual(right, StringComparer.Ordinal));

    public static int HashOf(List<string>? list)
    {
        var hash = new HashCode();
        foreach (var item in list ?? [])
        {
            hash.Add(item, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public static List<string> Copy(List<string>? list) => list is null ? null! : [.. list];
}
