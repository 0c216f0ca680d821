using System.Text.Json;
using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Web.Api;

namespace AgentMail.Review.Web.Drafts;

/// <summary>Turns AgentMail's create and update bodies into the drafts service's requests.</summary>
public static class DraftRequests
{
    private static readonly string[] CreateFields =
        ["labels", "reply_to", "to", "cc", "bcc", "subject", "text", "html", "attachments", "in_reply_to", "reply_all", "send_at", "client_id"];

    private static readonly string[] UpdateFields =
        ["reply_to", "to", "cc", "bcc", "subject", "text", "html", "add_attachments", "remove_attachments", "add_labels", "remove_labels", "send_at", "version"];

    private static readonly string[] SendFields = ["add_labels", "remove_labels"];

    private static readonly string[] AttachmentFields = ["filename", "content_type", "content_disposition", "content_id", "content", "url"];

    public static async Task<NewDraft> ReadCreateAsync(HttpRequest request, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(request, CreateFields, ct);
        var draft = new NewDraft
        {
            Labels = body.Strings("labels"),
            ReplyTo = body.Strings("reply_to"),
            To = body.Strings("to"),
            Cc = body.Strings("cc"),
            Bcc = body.Strings("bcc"),
            Subject = body.String("subject"),
            Text = body.String("text"),
            Html = body.String("html"),
            Attachments = ReadAttachments(body, "attachments"),
            InReplyTo = body.String("in_reply_to"),
            ReplyAll = body.Bool("reply_all"),
            SendAt = body.OptionalTimestamp("send_at").Or(null),
            ClientId = body.String("client_id"),
        };
        body.ThrowIfErrors();
        return draft;
    }

    public static async Task<DraftPatch> ReadUpdateAsync(HttpRequest request, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(request, UpdateFields, ct);
        var patch = new DraftPatch
        {
            ReplyTo = body.OptionalStrings("reply_to"),
            To = body.OptionalStrings("to"),
            Cc = body.OptionalStrings("cc"),
            Bcc = body.OptionalStrings("bcc"),
            Subject = body.OptionalString("subject"),
            Text = body.OptionalString("text"),
            Html = body.OptionalString("html"),
            AddAttachments = ReadAttachments(body, "add_attachments"),
            RemoveAttachments = body.Strings("remove_attachments"),
            AddLabels = body.Strings("add_labels"),
            RemoveLabels = body.Strings("remove_labels"),
            SendAt = body.OptionalTimestamp("send_at"),
            ExpectedVersion = body.Long("version"),
        };
        body.ThrowIfErrors();
        return patch;
    }

    /// <summary>
    /// <c>drafts.send</c>'s body (AgentMail's <c>UpdateMessageRequest</c>, which the SDKs send as <c>{}</c> when empty):
    /// labels for the resulting Message, each a string or a list; null when it asks for none.
    /// </summary>
    public static MessageLabels? ReadSend(ReadOnlyMemory<byte> body)
    {
        var json = JsonBody.Parse(body, SendFields);
        var add = json.Strings("add_labels");
        var remove = json.Strings("remove_labels");
        json.ThrowIfErrors();
        return add.Count + remove.Count == 0 ? null : new MessageLabels(add, remove);
    }

    internal static List<NewAttachment> ReadAttachments(JsonBody body, string field)
    {
        var attachments = new List<NewAttachment>();
        var items = body.Objects(field);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var name = $"{field}[{i}]";
            foreach (var property in item.EnumerateObject().Where(p => !AttachmentFields.Contains(p.Name)))
            {
                body.Error($"{name}.{property.Name}", "is not an attachment field");
            }

            var filename = body.String(item, name, "filename");
            var contentType = body.String(item, name, "content_type");
            var disposition = body.String(item, name, "content_disposition");
            var contentId = body.String(item, name, "content_id");
            if (item.TryGetProperty("url", out var url) && url.ValueKind != JsonValueKind.Null)
            {
                body.Error($"{name}.url", "attachments by URL are not supported here; send the bytes base64-encoded in content");
                continue;
            }

            if (!item.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
            {
                body.Error($"{name}.content", content.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
                    ? "is required: the attachment's bytes, base64-encoded"
                    : "must be a string: the attachment's bytes, base64-encoded");
                continue;
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(content.GetString()!);
            }
            catch (FormatException)
            {
                body.Error($"{name}.content", "is not valid base64");
                continue;
            }

            attachments.Add(new NewAttachment(filename, contentType, disposition, contentId, bytes));
        }

        return attachments;
    }
}
