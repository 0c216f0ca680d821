using AgentMail.Review.Core.Common;

namespace AgentMail.Review.Web.Api;

/// <summary>AgentMail's error body.</summary>
public sealed record ApiError(string Name, string Message, IReadOnlyList<FieldError>? Errors = null)
{
    public static IResult Result(int status, string name, string message, IReadOnlyList<FieldError>? errors = null) =>
        TypedResults.Json(new ApiError(name, message, errors), statusCode: status);
}
