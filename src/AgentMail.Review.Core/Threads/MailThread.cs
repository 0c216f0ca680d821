using AgentMail.Review.Core.Messages;

namespace AgentMail.Review.Core.Threads;

/// <summary>
/// A conversation: the messages an inbox sent and received that reply to one another. Its summary fields (senders,
/// recipients, counts, times, labels) follow its messages; <see cref="UserLabels"/> are the ones agents put on it.
/// </summary>
public sealed class MailThread
{
    /// <summary>Labels the system sets from the messages; agents cannot add or remove them by hand.</summary>
    public static readonly IReadOnlySet<string> SystemLabels = new HashSet<string>(StringComparer.Ordinal)
    {
        Message.SentLabel, Message.ReceivedLabel, Message.UnreadLabel, "scheduled", "draft", "spam", "trash", "blocked",
    };

    public required string ThreadId { get; init; }

    public required string InboxId { get; init; }

    /// <summary>What the thread shows: its messages' labels and <see cref="UserLabels"/>.</summary>
    public List<string> Labels { get; set; } = [];

    public List<string> UserLabels { get; set; } = [];

    public List<string> Senders { get; set; } = [];

    public List<string> Recipients { get; set; } = [];

    public string? Subject { get; set; }

    public string? Preview { get; set; }

    public string? LastMessageId { get; set; }

    public int MessageCount { get; set; }

    public long Size { get; set; }

    /// <summary>The latest message's time (the creation time while it has none).</summary>
    public DateTime Timestamp { get; set; }

    public DateTime? ReceivedTimestamp { get; set; }

    public DateTime? SentTimestamp { get; set; }

    public DateTime CreatedAt { get; init; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>Takes a message into the summary: it is the latest unless an earlier one arrives late.</summary>
    public void Add(Message message)
    {
        MessageCount++;
        Size += message.Size;
        foreach (var sender in new[] { message.From }.Where(s => !Senders.Contains(s, StringComparer.OrdinalIgnoreCase)))
        {
            Senders.Add(sender);
        }

        foreach (var recipient in message.To.Concat(message.Cc).Where(r => !Recipients.Contains(r, StringComparer.OrdinalIgnoreCase)))
        {
            Recipients.Add(recipient);
        }

        if (message.Timestamp >= Timestamp || LastMessageId is null)
        {
            Timestamp = message.Timestamp;
            LastMessageId = message.MessageId;
            Preview = message.Preview;
            Subject ??= message.Subject;
        }

        if (message.Labels.Contains(Message.ReceivedLabel))
        {
            ReceivedTimestamp = ReceivedTimestamp is { } r && r > message.Timestamp ? r : message.Timestamp;
        }

        if (message.Labels.Contains(Message.SentLabel))
        {
            SentTimestamp = SentTimestamp is { } s && s > message.Timestamp ? s : message.Timestamp;
        }

        UpdatedAt = message.Timestamp > UpdatedAt ? message.Timestamp : UpdatedAt;
    }

    /// <summary>The labels shown: the union of its messages' labels and the agents' own, in first-seen order.</summary>
    public void RelabelFrom(IEnumerable<IReadOnlyList<string>> messageLabels)
    {
        Labels = messageLabels.SelectMany(l => l).Concat(UserLabels).Distinct(StringComparer.Ordinal).ToList();
    }
}
