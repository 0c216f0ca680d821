using System.ComponentModel.DataAnnotations;

namespace AgentMail.Review.Core.Persistence;

public enum StoreProvider
{
    /// <summary>One file, embedded, nothing to install; one instance.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database; any number of instances.</summary>
    Postgres,
}

/// <summary>Bound from <c>Review:Store</c>; the connection string is <c>ConnectionStrings:Review</c>.</summary>
public sealed class StoreOptions
{
    public const string Section = "Review:Store";

    public const string ConnectionStringName = "Review";

    [EnumDataType(typeof(StoreProvider), ErrorMessage = "Review:Store:Provider must be Sqlite or Postgres")]
    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>
    /// Whether an instance applies pending migrations as it starts. Unset: yes for SQLite (one instance, its own file),
    /// no for PostgreSQL, where several instances share the schema and an operator runs <c>migrate</c> once.
    /// </summary>
    public bool? MigrateOnStart { get; set; }

    public bool MigratesOnStart => MigrateOnStart ?? Provider == StoreProvider.Sqlite;

    /// <summary>Reads the provider as start-up must know it before services exist; a bad value stops start-up naming the key.</summary>
    public static StoreProvider ProviderFrom(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var configured = configuration[$"{Section}:{nameof(Provider)}"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return StoreProvider.Sqlite;
        }

        return Enum.TryParse<StoreProvider>(configured, ignoreCase: true, out var provider) && Enum.IsDefined(provider)
            ? provider
            : throw new InvalidOperationException($"Review:Store:Provider must be Sqlite or Postgres, not '{configured}'.");
    }
}
