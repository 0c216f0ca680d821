using System.Globalization;
using System.Text;
using AgentMail.Review.Core.Common;
using MimeKit;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Drafts;

/// <summary>Checks draft content against the mail rules and the configured limits, naming every bad field.</summary>
public sealed class DraftValidator(IOptions<DraftLimits> limits)
{
    private const int MaxLocalPartOctets = 64;
    private const int MaxDomainOctets = 255;
    private const int MaxLabelOctets = 63;

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

    /// <summary>
    /// Null when the text is one valid mailbox (<c>a@b.example</c> or <c>Name &lt;a@b.example&gt;</c>): MimeKit's strict
    /// parser accepts it, it has no control or line-separator characters anywhere, no whitespace inside the address
    /// itself (a display name may have spaces), and it keeps RFC 5321's limits of 64 octets before the @, 255 after it
    /// and 63 per domain label.
    /// </summary>
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

        if (ForbiddenCharacterProblem(address) is { } forbidden)
        {
            return forbidden;
        }

        if (!MailboxAddress.TryParse(StrictAddresses, address, out var mailbox)
            || mailbox.Address.IndexOf('@') <= 0
            || string.IsNullOrEmpty(mailbox.Domain)
            || (!mailbox.Domain.Contains('.') && mailbox.Domain != "localhost"))
        {
            return $"\"{address}\" is not a valid email address";
        }

        // MimeKit reads "bob @example.com" as bob@example.com (whitespace between tokens is allowed there), but what
        // the draft keeps is the text as given, so the address part itself must be one unbroken token.
        if (HasWhitespace(AddrSpec(address)))
        {
            return $"\"{address}\" has whitespace inside the address; only a display name may contain spaces";
        }

        return LocalPartLengthProblem(mailbox.LocalPart) ?? DomainLengthProblem(mailbox.Domain);
    }

    /// <summary>Null when the text can stand before the @ on its own (an inbox's username).</summary>
    public static string? LocalPartProblem(string localPart)
    {
        if (localPart.Length == 0)
        {
            return "may not be empty";
        }

        var problem = ForbiddenCharacterProblem(localPart) ?? (HasWhitespace(localPart) ? "may not contain whitespace" : null);
        if (problem is not null)
        {
            return problem;
        }

        if (!MailboxAddress.TryParse(StrictAddresses, $"{localPart}@example.com", out var mailbox) || mailbox.LocalPart != localPart)
        {
            return $"\"{localPart}\" cannot be the part of an email address before the @";
        }

        return LocalPartLengthProblem(localPart);
    }

    /// <summary>Null when the text is a host name mail can be addressed to (an inbox's domain).</summary>
    public static string? DomainProblem(string domain)
    {
        if (domain.Length == 0)
        {
            return "may not be empty";
        }

        var problem = ForbiddenCharacterProblem(domain) ?? (HasWhitespace(domain) ? "may not contain whitespace" : null);
        if (problem is not null)
        {
            return problem;
        }

        if (!domain.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' || c > '\u007f')
            || !MailboxAddress.TryParse(StrictAddresses, $"postmaster@{domain}", out var mailbox)
            || (!mailbox.Domain.Contains('.') && mailbox.Domain != "localhost"))
        {
            return $"\"{domain}\" is not a valid domain name";
        }

        return DomainLengthProblem(domain);
    }

    /// <summary>
    /// Null when the text has none of the characters that end or break a header line somewhere: C0 and C1 controls
    /// (U+0085 included) and the Unicode line and paragraph separators U+2028 and U+2029.
    /// </summary>
    public static string? ForbiddenCharacterProblem(string? text) =>
        text is not null && text.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029')
            ? "may not contain control characters (U+0000-U+001F, U+007F-U+009F) or the line separators U+2028 and U+2029"
            : null;

    private static bool HasWhitespace(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The address part of a mailbox as written: inside the angle brackets, or the whole text without them.</summary>
    private static ReadOnlySpan<char> AddrSpec(string mailbox)
    {
        var text = mailbox.AsSpan().Trim();
        var open = text.LastIndexOf('<');
        return open >= 0 && text.EndsWith('>') ? text[(open + 1)..^1] : text;
    }

    private static string? LocalPartLengthProblem(string localPart)
    {
        var octets = Encoding.UTF8.GetByteCount(localPart);
        return octets > MaxLocalPartOctets
            ? $"the part before the @ is {octets} octets; RFC 5321 allows at most {MaxLocalPartOctets}"
            : null;
    }

    /// <summary>RFC 5321's limits apply to the domain as it travels: internationalised labels in their xn-- form.</summary>
    private static string? DomainLengthProblem(string domain)
    {
        if (domain.StartsWith('['))
        {
            return null;
        }

        var labels = domain.TrimEnd('.').Split('.');
        var ascii = new string[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            try
            {
                ascii[i] = labels[i].All(char.IsAscii) ? labels[i] : new IdnMapping().GetAscii(labels[i]);
            }
            catch (ArgumentException)
            {
                // IdnMapping refuses a label whose xn-- form would pass the limit as well as one it cannot encode.
                return $"the domain label \"{labels[i]}\" is not a valid internationalised label or is over {MaxLabelOctets} octets in its xn-- form (RFC 5321)";
            }

            if (ascii[i].Length > MaxLabelOctets)
            {
                return $"the domain label \"{labels[i]}\" is {ascii[i].Length} octets; RFC 5321 allows at most {MaxLabelOctets} per label";
            }
        }

        var octets = string.Join('.', ascii).Length;
        return octets > MaxDomainOctets
            ? $"the domain is {octets} octets; RFC 5321 allows at most {MaxDomainOctets}"
            : null;
    }

    private static ParserOptions CreateStrictParser()
    {
        var options = ParserOptions.Default.Clone();
        options.AddressParserComplianceMode = RfcComplianceMode.Strict;
        options.AllowAddressesWithoutDomain = false;
        return options;
    }
}
