using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using AgentMail.Review.Web.Api;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Web.Auth;

/// <summary>Bound from <c>Review:RateLimit</c>: how fast one API key may call the API.</summary>
public sealed class ApiRateLimitOptions
{
    public const string Section = "Review:RateLimit";

    public bool Enabled { get; set; } = true;

    /// <summary>Sustained requests per second per API key.</summary>
    [Range(1, 100_000, ErrorMessage = "Review:RateLimit:PermitsPerSecond must be between 1 and 100000")]
    public int PermitsPerSecond { get; set; } = 50;

    /// <summary>How many requests a key that has been idle may make at once.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Review:RateLimit:Burst must be between 1 and 1000000")]
    public int Burst { get; set; } = 100;
}

/// <summary>
/// Each API key gets its own token bucket; past it the API answers 429 with <c>Retry-After</c> and AgentMail's error
/// body. People in the console and anonymous callers are not counted here.
/// </summary>
public static class ApiRateLimiting
{
    public static IServiceCollection AddReviewRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiRateLimitOptions>().Bind(configuration.GetSection(ApiRateLimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ApiRateLimitOptions>>((limiter, settings) =>
        {
            var limit = settings.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                limit.Enabled && context.User.FindFirstValue(ReviewClaims.ApiKeyId) is { } keyId
                    ? RateLimitPartition.GetTokenBucketLimiter(keyId, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = limit.Burst,
                        TokensPerPeriod = limit.PermitsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetNoLimiter(""));
            limiter.OnRejected = async (rejected, ct) =>
            {
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                var response = rejected.HttpContext.Response;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await response.WriteAsJsonAsync(
                    new ApiError("RateLimitError", $"This API key is sending requests too fast (at most {limit.PermitsPerSecond} per second, bursts of {limit.Burst}); retry after {seconds} s."),
                    ct);
            };
        });
        return services;
    }

    /// <summary>After authentication and authorisation, so the caller's API key is known.</summary>
    public static IApplicationBuilder UseReviewRateLimiting(this IApplicationBuilder app) => app.UseRateLimiter();
}
