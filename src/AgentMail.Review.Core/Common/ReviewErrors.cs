namespace AgentMail.Review.Core.Common;

/// <summary>A domain error the caller can act on; the host maps each kind to its wire status once.</summary>
public abstract class ReviewException(string message, Exception? innerException = null) : Exception(message, innerException);

public sealed class NotFoundException(string message) : ReviewException(message);

/// <summary>The request is valid but conflicts with the draft's current state or version.</summary>
public sealed class ConflictException(string message) : ReviewException(message);

public sealed class ForbiddenException(string message) : ReviewException(message);

public sealed record FieldError(string Field, string Message);

public sealed class ValidationException : ReviewException
{
    public ValidationException(IReadOnlyList<FieldError> errors)
        : base(string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
    {
        Errors = errors;
    }

    public ValidationException(string field, string message) : this([new FieldError(field, message)])
    {
    }

    public IReadOnlyList<FieldError> Errors { get; }
}

/// <summary>The draft could not be delivered; it is now failed with this reason.</summary>
public sealed class DeliveryFailedException(string reason) : ReviewException(reason);

/// <summary>
/// The store's disk has no space left: the change was refused whole (its transaction rolled back, nothing of it kept),
/// and the same change succeeds once space has been freed; no restart is needed.
/// </summary>
public sealed class StorageFullException(Exception? innerException = null)
    : ReviewException("storage full: the disk holding the store has no space left, so nothing was saved; try again once space has been freed", innerException);
