using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AgentMail.Review.DevIdentity;

/// <summary>
/// Creates the provider's database and registers the app as its one client. It runs beside the rest of start-up (a
/// third of a second on a small machine) instead of before it: started with the hosted services, awaited once they
/// have all started, so start-up still fails if it does, and <c>/healthz</c> says "still being set up" until it is
/// done, so a caller that waits for health never meets a provider without its client.
/// </summary>
internal sealed partial class DevIdentitySeeder(IServiceProvider services, IOptions<DevIdentityOptions> options, ILogger<DevIdentitySeeder> logger)
    : IHostedLifecycleService, IHealthCheck
{
    private Task _seeding = Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _seeding = Task.Run(() => SeedAsync(cancellationToken), cancellationToken);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => _seeding;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_seeding.Status switch
        {
            TaskStatus.RanToCompletion => HealthCheckResult.Healthy("the development sign-in provider has its client"),
            TaskStatus.Faulted or TaskStatus.Canceled => HealthCheckResult.Unhealthy("the development sign-in provider failed to start", _seeding.Exception),
            _ => HealthCheckResult.Unhealthy("the development sign-in provider is still being set up"),
        });

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DevIdentityDbContext>();
        await db.Database.EnsureCreatedAsync(cancellationToken);

        var settings = options.Value;
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        if (await applications.FindByClientIdAsync(settings.ClientId, cancellationToken) is null)
        {
            var client = new OpenIddictApplicationDescriptor
            {
                ClientId = settings.ClientId,
                ClientSecret = string.IsNullOrEmpty(settings.ClientSecret) ? null : settings.ClientSecret,
                ClientType = string.IsNullOrEmpty(settings.ClientSecret) ? ClientTypes.Public : ClientTypes.Confidential,
                ConsentType = ConsentTypes.Implicit,
                DisplayName = "AgentMail Review (development)",
                RedirectUris = { new Uri($"http://localhost{settings.RedirectPath}") },
                PostLogoutRedirectUris = { new Uri($"http://localhost{settings.PostLogoutRedirectPath}") },
                Permissions =
                {
                    Permissions.Endpoints.Authorization,
                    Permissions.Endpoints.Token,
                    Permissions.Endpoints.EndSession,
                    Permissions.GrantTypes.AuthorizationCode,
                    Permissions.ResponseTypes.Code,
                    Permissions.Scopes.Email,
                    Permissions.Scopes.Profile,
                    Permissions.Scopes.Roles,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            };
            await applications.CreateAsync(client, cancellationToken);
        }

        LogReady(logger, DevIdentityOptions.PathPrefix, string.Join(", ", DevUsers.All.Select(u => $"{u.Email} ({u.Role})")));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Development sign-in provider at {Path}/ with users {Users}; the password is Authentication:DevIdentity:Password")]
    private static partial void LogReady(ILogger logger, string path, string users);
}
