using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Persistence.Postgres;

/// <summary>
/// The store on PostgreSQL: the same model, with its own migrations in this folder. The drafts' search vector is the
/// database's own (a column, its index and the trigger keeping it, all in the migrations), never read into entities;
/// <see cref="PostgresDraftSearch"/> queries it.
/// </summary>
public sealed class PostgresReviewDbContext(DbContextOptions<PostgresReviewDbContext> options) : ReviewDbContext(options);
