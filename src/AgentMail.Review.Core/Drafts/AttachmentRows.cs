using AgentMail.Review.Core.Common;
using AgentMail.Review.Core.Persistence;

namespace AgentMail.Review.Core.Drafts;

/// <summary>New attachments as the store keeps them: the bytes in their own rows, the description on the draft or message.</summary>
public static class AttachmentRows
{
    public static List<AttachmentInfo> Add(ReviewDbContext db, IEnumerable<NewAttachment> attachments)
    {
        var infos = new List<AttachmentInfo>();
        foreach (var attachment in attachments)
        {
            var id = Ids.New();
            db.AttachmentContents.Add(new AttachmentContent { AttachmentId = id, Data = attachment.Content });
            infos.Add(new AttachmentInfo
            {
                AttachmentId = id,
                Filename = attachment.Filename,
                ContentType = attachment.ContentType ?? "application/octet-stream",
                ContentDisposition = attachment.ContentDisposition ?? "attachment",
                ContentId = attachment.ContentId,
                Size = attachment.Content.LongLength,
            });
        }

        return infos;
    }
}
