using MimeKit;

namespace AgentMail.Review.Core.Delivery;

/// <summary>Hands a finished message to its way out: the Outbox table, or a real SMTP server.</summary>
public interface IMailTransport
{
    /// <summary>Delivers the message or throws <see cref="DeliveryException"/> saying whether trying again may help.</summary>
    Task DeliverAsync(MimeMessage message, CancellationToken ct);
}

/// <summary>A delivery that did not happen, with a reason a person can read.</summary>
public sealed class DeliveryException(string reason, bool transient, Exception? inner = null) : Exception(reason, inner)
{
    /// <summary>True when the same message may go through on a later attempt (a timeout, a 4xx reply).</summary>
    public bool Transient { get; } = transient;
}
