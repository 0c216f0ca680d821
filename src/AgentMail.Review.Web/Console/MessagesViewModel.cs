using AgentMail.Review.Core.Audit;
using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Messages;
using AgentMail.Review.Core.Threads;
using Microsoft.AspNetCore.WebUtilities;

namespace AgentMail.Review.Web.Console;

/// <summary>Which mail the Messages page lists.</summary>
public enum MessageDirection
{
    All,
    Sent,
    Received,
}

/// <summary>
/// The Messages page's state: sent and received mail, narrowed by direction, inbox or one thread, one keyset page at a
/// time, and the open message with its thread. A plain class: the page renders it, tests drive it without a browser.
/// </summary>
public sealed class MessagesViewModel(MessageQueries messages, ThreadQueries threads, AuditTrail audit, int pageSize)
{
    private readonly Stack<string?> _previous = new();
    private string? _token;

    public MessageDirection Direction { get; private set; }

    public string? InboxId { get; private set; }

    /// <summary>Only this thread's messages, when set (the thread link on a row).</summary>
    public string? ThreadId { get; private set; }

    public IReadOnlyList<Message> Rows { get; private set; } = [];

    public string? Next { get; private set; }

    public bool HasPrevious => _previous.Count > 0;

    public int PageNumber => _previous.Count + 1;

    public Message? Open { get; private set; }

    /// <summary>The open message's thread, oldest first (the open message among them).</summary>
    public IReadOnlyList<Message> OpenThread { get; private set; } = [];

    /// <summary>The history of the draft a sent message was sent from.</summary>
    public IReadOnlyList<AuditEntry> OpenAudit { get; private set; } = [];

    /// <summary>On a narrow screen, whether the reading pane is the view.</summary>
    public bool PaneOpen { get; set; }

    public async Task LoadAsync()
    {
        var request = new ListRequest
        {
            Limit = pageSize,
            Labels = Direction switch
            {
                MessageDirection.Sent => [Message.SentLabel],
                MessageDirection.Received => [Message.ReceivedLabel],
                _ => [],
            },
            PageToken = _token is null ? null : PageToken.Decode(_token),
        };
        var page = await messages.ListAsync(InboxId, ThreadId, request);
        Rows = page.Items;
        Next = page.NextPageToken;
    }

    public Task SetDirectionAsync(MessageDirection direction)
    {
        Direction = direction;
        return FirstPageAsync();
    }

    public Task SetInboxAsync(string? inboxId)
    {
        InboxId = string.IsNullOrWhiteSpace(inboxId) ? null : inboxId;
        return FirstPageAsync();
    }

    /// <summary>The list becomes one thread's messages (null: every thread again).</summary>
    public Task ShowThreadAsync(string? threadId)
    {
        ThreadId = threadId;
        return FirstPageAsync();
    }

    public Task NextPageAsync()
    {
        _previous.Push(_token);
        _token = Next;
        return LoadAsync();
    }

    public Task PreviousPageAsync()
    {
        _token = _previous.Count > 0 ? _previous.Pop() : null;
        return LoadAsync();
    }

    public async Task OpenAsync(Message message)
    {
        Open = message;
        PaneOpen = true;
        OpenThread = await threads.ConversationAsync(message.InboxId, message.ThreadId);
        OpenAudit = message.DraftId is { } draftId ? await audit.ForDraftAsync(draftId) : [];
    }

    /// <summary>Opens a message by id (a link); false when there is no such message.</summary>
    public async Task<bool> OpenAsync(string messageId)
    {
        if (await messages.FindAsync(messageId) is not { } message)
        {
            return false;
        }

        await OpenAsync(message);
        return true;
    }

    public void Close()
    {
        PaneOpen = false;
    }

    /// <summary>The filters and open message as a query string, so a link or a reload shows the same view.</summary>
    public string ToQueryString()
    {
        var query = new Dictionary<string, string?>();
        if (Direction != MessageDirection.All)
        {
            query["show"] = Direction.ToString().ToLowerInvariant();
        }

        if (InboxId is not null)
        {
            query["inbox"] = InboxId;
        }

        if (ThreadId is not null)
        {
            query["thread"] = ThreadId;
        }

        if (Open is not null)
        {
            query["message"] = Open.MessageId;
        }

        return QueryHelpers.AddQueryString("", query);
    }

    /// <summary>Reads what <see cref="ToQueryString"/> wrote; returns the message to open, if any.</summary>
    public string? ReadQueryString(string? queryString)
    {
        var query = QueryHelpers.ParseQuery(queryString);
        string? One(string key) => query.TryGetValue(key, out var values) && !string.IsNullOrWhiteSpace(values.ToString()) ? values.ToString() : null;
        Direction = Enum.TryParse<MessageDirection>(One("show"), ignoreCase: true, out var direction) ? direction : MessageDirection.All;
        InboxId = One("inbox");
        ThreadId = One("thread");
        return One("message");
    }

    private Task FirstPageAsync()
    {
        _previous.Clear();
        _token = null;
        return LoadAsync();
    }
}
