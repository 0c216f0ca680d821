namespace AgentMail.Review.Core.Common;

/// <summary>A field of a partial update: absent leaves the stored value, present (even null) replaces it.</summary>
public readonly record struct Optional<T>(bool HasValue, T Value)
{
    public static Optional<T> Absent => default;

    public static implicit operator Optional<T>(T value) => new(true, value);

    public T Or(T current) => HasValue ? Value : current;
}
