using MimeKit;

namespace AgentMail.Review.Core.Delivery;

/// <summary>How a message is written as it goes on the wire, and as its .eml is kept and handed out.</summary>
public static class MimeWireFormat
{
    /// <summary>
    /// CRLF line ends, as RFC 5322 requires whatever the host's own line end (MimeKit's default follows the host), and
    /// Bcc recipients only in the envelope, never in the headers.
    /// </summary>
    public static FormatOptions Transmitted { get; } = Create();

    public static async Task<byte[]> ToBytesAsync(MimeMessage message, CancellationToken ct = default)
    {
        using var bytes = new MemoryStream();
        await message.WriteToAsync(Transmitted, bytes, ct);
        return bytes.ToArray();
    }

    private static FormatOptions Create()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.HiddenHeaders.Add(HeaderId.Bcc);
        return format;
    }
}
