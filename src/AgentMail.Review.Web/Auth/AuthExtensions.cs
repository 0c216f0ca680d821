using AgentMail.Review.Core.ApiKeys;
using Microsoft.AspNetCore.Authentication;

namespace AgentMail.Review.Web.Auth;

public static class AuthExtensions
{
    public const string AgentPolicy = "Agent";

    public static IServiceCollection AddReviewAuth(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AgentPolicy, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireClaim(ReviewClaims.ApiKeyId));
        return services;
    }

    /// <summary>
    /// In Development, <c>Review:DevApiKey</c> is an organisation-wide key with exactly that value, printed on start
    /// so a newcomer can call the API at once. Anywhere else the setting is ignored.
    /// </summary>
    public static async Task EnsureDevelopmentApiKeyAsync(this WebApplication app)
    {
        var devKey = app.Configuration["Review:DevApiKey"];
        if (string.IsNullOrWhiteSpace(devKey))
        {
            return;
        }

        if (!app.Environment.IsDevelopment())
        {
            app.Logger.LogWarning("Review:DevApiKey is set but ignored outside Development");
            return;
        }

        await app.Services.GetRequiredService<ApiKeyService>().EnsureAsync("Development key", devKey);
        app.Logger.LogInformation("Development API key (organisation-wide): {DevApiKey}", devKey);
    }
}
