using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Persistence;
using Microsoft.AspNetCore.Diagnostics;

namespace AgentMail.Review.Web.Api;

/// <summary>The one place where domain errors become wire errors; endpoints only throw.</summary>
public sealed partial class ApiErrorHandler(ILogger<ApiErrorHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (!context.Request.Path.StartsWithSegments(ApiPaths.Root))
        {
            return false;
        }

        var (status, body) = exception switch
        {
            ValidationException e => (StatusCodes.Status400BadRequest, new ApiError("ValidationError", e.Message, e.Errors)),
            NotFoundException e => (StatusCodes.Status404NotFound, new ApiError("NotFoundError", e.Message)),
            ConflictException e => (StatusCodes.Status409Conflict, new ApiError("ConflictError", e.Message)),
            // Not a status the SDKs retry (408, 409, 429, 5xx): a failed or uncertain delivery is final until a person acts.
            DeliveryFailedException e => (StatusCodes.Status422UnprocessableEntity, new ApiError("DeliveryFailedError", e.Message)),
            ForbiddenException e => (StatusCodes.Status403Forbidden, new ApiError("ForbiddenError", e.Message)),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } e =>
                (StatusCodes.Status413PayloadTooLarge, new ApiError("ValidationError", $"request body: {e.Message}", [new FieldError("body", "is larger than this server accepts")])),
            BadHttpRequestException e => (e.StatusCode, new ApiError("ValidationError", e.Message)),
            // Asked of the store rather than matched by type, so a provider's own "disk full" counts wherever it came from.
            _ when StoreFailures.AsStorageFull(exception) is { } full => (StatusCodes.Status507InsufficientStorage, new ApiError("StorageFullError", full.Message)),
            _ => (StatusCodes.Status500InternalServerError, new ApiError("InternalServerError", "The server failed to handle this request; it has been logged.")),
        };

        if (status == StatusCodes.Status500InternalServerError)
        {
            LogUnhandled(logger, exception, context.Request.Method, context.Request.Path);
        }

        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(body, ct);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}

public static class ApiErrorMetadata
{
    /// <summary>Names the error statuses an endpoint can answer, so the OpenAPI document lists them.</summary>
    public static RouteHandlerBuilder ProducesApiErrors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses.Append(StatusCodes.Status401Unauthorized))
        {
            builder.Produces<ApiError>(status);
        }

        return builder;
    }
}
