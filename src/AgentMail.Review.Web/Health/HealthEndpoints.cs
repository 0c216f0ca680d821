using AgentMail.Review.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentMail.Review.Web.Health;

public static class HealthEndpoints
{
    public static IServiceCollection AddReviewHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store").AddCheck<StoreWritesHealthCheck>("store-writes");
        return services;
    }

    public static IEndpointRouteBuilder MapReviewHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/healthz").AllowAnonymous();
        return routes;
    }

    private sealed class StoreHealthCheck(IDbContextFactory<ReviewDbContext> dbFactory) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                await db.Inboxes.AnyAsync(ct);
                return HealthCheckResult.Healthy("the store answers");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("the store does not answer", e);
            }
        }
    }

    /// <summary>Reads keep answering on a full disk; this check says whether writes do (see <see cref="StoreWriteHealth"/>).</summary>
    private sealed class StoreWritesHealthCheck(StoreWriteHealth writes) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            var status = writes.Check();
            return Task.FromResult(status.Writable ? HealthCheckResult.Healthy(status.Description) : HealthCheckResult.Unhealthy(status.Description));
        }
    }
}
