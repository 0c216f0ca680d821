using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Api;
using AgentMail.Review.Web.Drafts;

namespace AgentMail.Review.Web.Messages;

/// <summary>AgentMail's <c>SendMessageRequest</c>, <c>ReplyToMessageRequest</c> and <c>ReplyAllMessageRequest</c> as drafts to send.</summary>
public static class MessageRequests
{
    private static readonly string[] SendFields = ["labels", "reply_to", "to", "cc", "bcc", "subject", "text", "html", "attachments", "headers", "track_opens"];

    private static readonly string[] ReplyFields = ["labels", "reply_to", "to", "cc", "bcc", "reply_all", "text", "html", "attachments", "headers", "track_opens"];

    private static readonly string[] ReplyAllFields = ["labels", "reply_to", "text", "html", "attachments", "headers", "track_opens"];

    private static readonly string[] LabelFields = ["add_labels", "remove_labels"];

    /// <summary>The body and its bytes (for the idempotency fingerprint).</summary>
    public static async Task<(NewDraft Draft, byte[] Body)> ReadSendAsync(HttpRequest request, CancellationToken ct)
    {
        var (body, bytes) = await JsonBody.ReadBufferedAsync(request, SendFields, ct);
        var draft = Common(body) with
        {
            To = body.Strings("to"),
            Cc = body.Strings("cc"),
            Bcc = body.Strings("bcc"),
            Subject = body.String("subject"),
        };
        body.ThrowIfErrors();
        return (draft, bytes);
    }

    public static async Task<(NewDraft Draft, byte[] Body)> ReadReplyAsync(HttpRequest request, string messageId, bool replyAll, CancellationToken ct)
    {
        var (body, bytes) = await JsonBody.ReadBufferedAsync(request, replyAll ? ReplyAllFields : ReplyFields, ct);
        var draft = Common(body) with
        {
            To = replyAll ? [] : body.Strings("to"),
            Cc = replyAll ? [] : body.Strings("cc"),
            Bcc = replyAll ? [] : body.Strings("bcc"),
            InReplyTo = messageId,
            ReplyAll = replyAll || body.Bool("reply_all"),
        };
        body.ThrowIfErrors();
        return (draft, bytes);
    }

    public static async Task<(IReadOnlyList<string> Add, IReadOnlyList<string> Remove)> ReadLabelsAsync(HttpRequest request, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(request, LabelFields, ct);
        var labels = (body.Strings("add_labels"), body.Strings("remove_labels"));
        body.ThrowIfErrors();
        return labels;
    }

    private static NewDraft Common(JsonBody body)
    {
        if (body.Has("headers") && !body.IsNullOrEmptyObject("headers"))
        {
            body.Error("headers", "custom headers are not supported; the server sets Message-ID, In-Reply-To and References itself");
        }

        // Open tracking is not offered: accepted as false or absent, refused as true rather than silently ignored.
        if (body.Bool("track_opens"))
        {
            body.Error("track_opens", "open tracking is not supported");
        }

        return new NewDraft
        {
            Labels = body.Strings("labels"),
            ReplyTo = body.Strings("reply_to"),
            Text = body.String("text"),
            Html = body.String("html"),
            Attachments = DraftRequests.ReadAttachments(body, "attachments"),
        };
    }
}
