using AgentMail.Review.Core.Drafts;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace AgentMail.Review.Web.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>AgentMail's wire format, the single error mapping, the request size limit and the OpenAPI document.</summary>
    public static IServiceCollection AddReviewApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
        services.AddExceptionHandler<ApiErrorHandler>();
        services.AddProblemDetails();
        services.AddOpenApi();

        var limits = configuration.GetSection(DraftLimits.Section).Get<DraftLimits>() ?? new DraftLimits();
        services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBytes);
        return services;
    }
}
