using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AgentMail.Review.Core.Persistence.Sqlite;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the host.</summary>
internal sealed class DesignTimeSqliteDbContextFactory : IDesignTimeDbContextFactory<ReviewDbContext>
{
    public ReviewDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ReviewDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
