using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AgentMail.Review.Core.Persistence.Postgres;

/// <summary>
/// Lets <c>dotnet ef migrations add &lt;Name&gt; --context PostgresReviewDbContext --output-dir Persistence/Postgres/Migrations</c>
/// build the model; no server is contacted.
/// </summary>
internal sealed class DesignTimePostgresDbContextFactory : IDesignTimeDbContextFactory<PostgresReviewDbContext>
{
    public PostgresReviewDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresReviewDbContext>().UseNpgsql("Host=localhost;Database=review_design_time").Options);
}
