namespace AgentMail.Review.Web.Api;

/// <summary>
/// Routing's own answers under <c>/v0</c> in AgentMail's error shape: a path no endpoint serves is a 404
/// <c>NotFoundError</c>, a method the path does not take a 405 <c>MethodNotAllowedError</c> (routing sets the
/// <c>Allow</c> header). Without a body the SDKs raise a bare error instead of <c>NotFoundError</c>. Pages outside
/// <c>/v0</c> keep their behaviour.
/// </summary>
public static class ApiRouteErrors
{
    public static IApplicationBuilder UseApiRouteErrors(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        await next(context);

        var response = context.Response;
        if (response.HasStarted || !context.Request.Path.StartsWithSegments(ApiPaths.Root))
        {
            return;
        }

        var request = $"{context.Request.Method} {context.Request.Path.Value}";
        switch (response.StatusCode)
        {
            case StatusCodes.Status404NotFound when context.GetEndpoint() is null:
                await response.WriteAsJsonAsync(new ApiError("NotFoundError", $"no such API route: {request}"), context.RequestAborted);
                break;
            case StatusCodes.Status405MethodNotAllowed:
                var allowed = response.Headers.Allow.ToString();
                await response.WriteAsJsonAsync(
                    new ApiError("MethodNotAllowedError", $"{request} is not allowed; this route takes {(allowed.Length == 0 ? "other methods" : allowed)}"),
                    context.RequestAborted);
                break;
        }
    });
}
