using System.ComponentModel.DataAnnotations;

namespace AgentMail.Review.Core.Delivery;

public enum TransportKind
{
    Outbox,
    Smtp,
}

/// <summary>Bound from <c>Delivery</c>.</summary>
public sealed class DeliveryOptions : IValidatableObject
{
    public const string Section = "Delivery";

    public TransportKind Transport { get; set; } = TransportKind.Outbox;

    /// <summary>Attempts for a transient failure before the draft becomes failed.</summary>
    [Range(1, 20, ErrorMessage = "Delivery:MaxAttempts must be between 1 and 20")]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>The wait before the second attempt; it doubles for each attempt after that.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two attempts.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>
    /// How long a claim holds: one delivery attempt is bounded by the SMTP conversation's deadline, so a claim this
    /// much older than that has no delivery behind it any more.
    /// </summary>
    public TimeSpan ClaimLease => Smtp.Timeout + TimeSpan.FromMinutes(2);

    public TimeSpan RetryDelay(int failedAttempts)
    {
        var delay = FirstRetryDelay * Math.Pow(2, failedAttempts - 1);
        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FirstRetryDelay < TimeSpan.Zero || MaxRetryDelay < FirstRetryDelay)
        {
            yield return new ValidationResult("Delivery:FirstRetryDelay must be at least 0 and at most Delivery:MaxRetryDelay", [nameof(FirstRetryDelay)]);
        }

        if (Transport == TransportKind.Smtp)
        {
            if (string.IsNullOrWhiteSpace(Smtp.Host))
            {
                yield return new ValidationResult("Delivery:Smtp:Host is required when Delivery:Transport is Smtp", ["Smtp.Host"]);
            }

            if (Smtp.Port is < 1 or > 65535)
            {
                yield return new ValidationResult("Delivery:Smtp:Port must be between 1 and 65535", ["Smtp.Port"]);
            }

            if (string.IsNullOrEmpty(Smtp.User) != string.IsNullOrEmpty(Smtp.Password))
            {
                yield return new ValidationResult("Delivery:Smtp:User and Delivery:Smtp:Password go together: set both or neither", ["Smtp.User"]);
            }

            if (Smtp.Timeout <= TimeSpan.Zero)
            {
                yield return new ValidationResult("Delivery:Smtp:Timeout must be positive", ["Smtp.Timeout"]);
            }
        }
    }
}

public enum SmtpSecurity
{
    /// <summary>STARTTLS when the server offers it.</summary>
    Auto,
    None,
    StartTls,
    SslOnConnect,
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>How long one SMTP conversation may take before it counts as a transient failure.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
