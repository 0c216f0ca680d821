using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AgentMail.Review.DevIdentity;

/// <summary>Creates the provider's database and registers the app as its one client, before the server listens.</summary>
internal sealed partial class DevIdentitySeeder(IServiceProvider services, IOptions<DevIdentityOptions> options, ILogger<DevIdentitySeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
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

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Development sign-in provider at {Path}/ with users {Users}; the password is Authentication:DevIdentity:Password")]
    private static partial void LogReady(ILogger logger, string path, string users);
}
