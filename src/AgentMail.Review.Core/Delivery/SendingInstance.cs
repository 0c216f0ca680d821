namespace AgentMail.Review.Core.Delivery;

/// <summary>
/// This process as the owner of the claims it makes: a claim names its instance, so whoever finds a draft in
/// "sending" can tell a live delivery of its own from one cut off by a process that is gone.
/// </summary>
public sealed class SendingInstance
{
    public string Id { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
}
