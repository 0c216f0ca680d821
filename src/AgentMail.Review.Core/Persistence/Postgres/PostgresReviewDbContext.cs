using AgentMail.Review.Core.Drafts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using NpgsqlTypes;

namespace AgentMail.Review.Core.Persistence.Postgres;

/// <summary>
/// The store on PostgreSQL: the same model, plus the drafts' search vector (kept by a trigger, see the migration), with
/// its own migrations in this folder.
/// </summary>
public sealed class PostgresReviewDbContext(DbContextOptions<PostgresReviewDbContext> options) : ReviewDbContext(options)
{
    public const string SearchVector = "SearchVector";

    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        model.Entity<Draft>(draft =>
        {
            // Written only by the trigger: EF neither sends it nor reads it back.
            var vector = draft.Property<NpgsqlTsVector>(SearchVector).Metadata;
            vector.SetBeforeSaveBehavior(PropertySaveBehavior.Ignore);
            vector.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
            draft.HasIndex(SearchVector).HasMethod("GIN");
        });
    }
}
