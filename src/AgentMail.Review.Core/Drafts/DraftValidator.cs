using AgentMail.Review.Core.Common;
using MimeKit;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Drafts;

/// <summary>Checks draft content against the mail rules and the configured limits, naming every bad field.</summary>
public sealed class DraftValidator(IOptions<DraftLimits> limits)
{
    private static readonly ParserOptions StrictAddresses = CreateStrictParser();

    private readonly DraftLimits _limits = limits.Value;

    public sealed class Errors
    {
        private readonly List<FieldError> _errors = [];

        public void Add(string field, string message) => _errors.Add(new FieldError(field, message));

        public void ThrowIfAny()
        {
            if (_errors.Count > 0)
            {
                throw new ValidationException(_errors.ToList());
            }
        }
    }

    public void CheckAddresses(Errors errors, string field, IReadOnlyList<string>? addresses)
    {
        if (addresses is null)
        {
            return;
        }

        for (var i = 0; i < addresses.Count; i++)
        {
            var problem = AddressProblem(addresses[i]);
            if (problem is not null)
            {
                errors.Add($"{field}[{i}]", problem);
            }
        }
    }

    public void CheckRecipientCount(Errors errors, int count)
    {
        if (count > _limits.MaxRecipients)
        {
            errors.Add("to", $"a draft may have at most {_limits.MaxRecipients} recipients across to, cc and bcc; this one has {count}");
        }
    }

    public void CheckSubject(Errors errors, string? subject)
    {
        if (subject is null)
        {
            return;
        }

        CheckHeaderText(errors, "subject", subject);
        if (subject.Length > _limits.MaxSubjectLength)
        {
            errors.Add("subject", $"must be at most {_limits.MaxSubjectLength} characters");
        }
    }

    public void CheckBody(Errors errors, string field, string? body)
    {
        if (body is not null && System.Text.Encoding.UTF8.GetByteCount(body) > _limits.MaxBodyBytes)
        {
            errors.Add(field, $"must be at most {_limits.MaxBodyBytes} bytes");
        }
    }

    public void CheckLabels(Errors errors, string field, IReadOnlyList<string>? labels)
    {
        if (labels is null)
        {
            return;
        }

        if (labels.Count > _limits.MaxLabels)
        {
            errors.Add(field, $"at most {_limits.MaxLabels} labels");
        }

        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i];
            if (string.IsNullOrWhiteSpace(label))
            {
                errors.Add($"{field}[{i}]", "a label may not be empty");
            }
            else if (label.Length > _limits.MaxLabelLength)
            {
                errors.Add($"{field}[{i}]", $"a label may be at most {_limits.MaxLabelLength} characters");
            }
            else if (label.Any(char.IsControl))
            {
                errors.Add($"{field}[{i}]", "a label may not contain control characters");
            }
        }
    }

    public void CheckAttachments(Errors errors, string field, IReadOnlyList<NewAttachment> attachments, long alreadyStoredBytes, int alreadyStoredCount)
    {
        if (attachments.Count + alreadyStoredCount > _limits.MaxAttachments)
        {
            errors.Add(field, $"a draft may have at most {_limits.MaxAttachments} attachments");
        }

        var total = alreadyStoredBytes;
        for (var i = 0; i < attachments.Count; i++)
        {
            var attachment = attachments[i];
            total += attachment.Content.LongLength;
            if (attachment.Content.LongLength > _limits.MaxAttachmentBytes)
            {
                errors.Add($"{field}[{i}].content", $"is {attachment.Content.LongLength} bytes; an attachment may be at most {_limits.MaxAttachmentBytes} bytes");
            }

            if (attachment.Filename is not null)
            {
                CheckHeaderText(errors, $"{field}[{i}].filename", attachment.Filename);
            }

            if (attachment.ContentType is not null && Delivery.MimeMessageFactory.ContentTypeProblem(attachment.ContentType) is { } typeProblem)
            {
                errors.Add($"{field}[{i}].content_type", typeProblem);
            }

            if (attachment.ContentDisposition is not null and not ("attachment" or "inline"))
            {
                errors.Add($"{field}[{i}].content_disposition", "must be \"attachment\" or \"inline\"");
            }

            if (attachment.ContentId is not null)
            {
                CheckHeaderText(errors, $"{field}[{i}].content_id", attachment.ContentId);
                if (Delivery.MimeMessageFactory.ContentIdProblem(attachment.ContentId) is { } idProblem)
                {
                    errors.Add($"{field}[{i}].content_id", idProblem);
                }
            }
        }

        if (total > _limits.MaxTotalAttachmentBytes)
        {
            errors.Add(field, $"attachments total {total} bytes; a draft may carry at most {_limits.MaxTotalAttachmentBytes} bytes");
        }
    }

    public static void CheckHeaderText(Errors errors, string field, string value)
    {
        if (value.Contains('\r') || value.Contains('\n'))
        {
            errors.Add(field, "may not contain line breaks (CR or LF)");
        }
        else if (value.Any(c => char.IsControl(c) && c != '\t'))
        {
            errors.Add(field, "may not contain control characters");
        }
    }

    /// <summary>Null when the text is one valid mailbox (<c>a@b.example</c> or <c>Name &lt;a@b.example&gt;</c>).</summary>
    public static string? AddressProblem(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return "an address may not be empty";
        }

        if (address.Contains('\r') || address.Contains('\n'))
        {
            return "may not contain line breaks (CR or LF)";
        }

        if (!MailboxAddress.TryParse(StrictAddresses, address, out var mailbox)
            || mailbox.Address.IndexOf('@') <= 0
            || string.IsNullOrEmpty(mailbox.Domain)
            || (!mailbox.Domain.Contains('.') && mailbox.Domain != "localhost"))
        {
            return $"\"{address}\" is not a valid email address";
        }

        return null;
    }

    private static ParserOptions CreateStrictParser()
    {
        var options = ParserOptions.Default.Clone();
        options.AddressParserComplianceMode = RfcComplianceMode.Strict;
        options.AllowAddressesWithoutDomain = false;
        return options;
    }
}
