using MimeKit;

namespace AgentMail.Review.Core.Delivery;

/// <summary>Hands a finished message to its way out: the Outbox table, or a real SMTP server.</summary>
public interface IMailTransport
{
    /// <summary>
    /// True when the message counts as delivered only once the send's completion commits (the Outbox): a claim cut
    /// off before that commit certainly delivered nothing. False when a server outside takes it (SMTP).
    /// </summary>
    bool DeliversOnCommit { get; }

    /// <summary>
    /// Delivers the message or throws <see cref="DeliveryException"/> saying what is known. A transport that
    /// <see cref="DeliversOnCommit"/> returns the row to commit with the completion; others return null.
    /// </summary>
    Task<OutboxEntry?> DeliverAsync(MimeMessage message, CancellationToken ct);
}

public enum DeliveryFailure
{
    /// <summary>The server certainly does not have the message, and a later attempt may go through (a 4xx, no connection).</summary>
    Transient,

    /// <summary>The server refused it for good (a 5xx, bad credentials, unusable settings).</summary>
    Permanent,

    /// <summary>
    /// The whole message was handed over but no answer came (a timeout or a broken connection after the final
    /// "."): the server may have accepted it, so trying again could deliver it twice.
    /// </summary>
    Uncertain,
}

/// <summary>A delivery that did not happen, or may not have, with a reason a person can read.</summary>
public sealed class DeliveryException(string reason, DeliveryFailure failure, Exception? inner = null) : Exception(reason, inner)
{
    public DeliveryFailure Failure { get; } = failure;

    /// <summary>The mail server answered the recipients or the message itself with a refusal: a bounce, not a fault of ours.</summary>
    public bool Bounced { get; init; }
}

/// <summary>Which message event a failed delivery also gives the agent, beside <c>draft.failed</c>.</summary>
public enum FailureNotice
{
    None,
    Rejected,
    Bounced,
}
