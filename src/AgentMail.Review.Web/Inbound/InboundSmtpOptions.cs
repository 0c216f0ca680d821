using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AgentMail.Review.Web.Inbound;

/// <summary>Bound from <c>Inbound:Smtp</c>: the SMTP listener that receives replies.</summary>
public sealed class InboundSmtpOptions : IValidatableObject
{
    public const string Section = "Inbound:Smtp";

    /// <summary>Unset: on in Development (on loopback, nothing else needed), off elsewhere until an operator turns it on.</summary>
    public bool? Enabled { get; set; }

    /// <summary>The address to listen on: an IP address (<c>0.0.0.0</c> or <c>::</c> for every interface) or <c>localhost</c>.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>0 takes any free port (the one bound is logged).</summary>
    [Range(0, 65535, ErrorMessage = "Inbound:Smtp:Port must be between 0 and 65535")]
    public int Port { get; set; } = 2525;

    /// <summary>The largest message taken, as it arrives (encoded attachments included); a larger one is refused with 552.</summary>
    [Range(1024, int.MaxValue, ErrorMessage = "Inbound:Smtp:MaxMessageBytes must be at least 1024")]
    public int MaxMessageBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>A PKCS#12 (.pfx/.p12) file with the certificate and its key; when set, the listener offers STARTTLS.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>The name the listener greets with; the machine's name when unset.</summary>
    public string? ServerName { get; set; }

    /// <summary>How long the listener waits for a client's next command before it hangs up.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public bool IsEnabled(IHostEnvironment environment) => Enabled ?? environment.IsDevelopment();

    public IPAddress HostAddress() =>
        string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.Parse(Host);

    public X509Certificate2? LoadCertificate() =>
        string.IsNullOrWhiteSpace(CertificatePath) ? null : X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, CertificatePassword);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(Host, out _))
        {
            yield return new ValidationResult($"Inbound:Smtp:Host must be an IP address (such as 127.0.0.1, 0.0.0.0 or ::) or localhost; \"{Host}\" is neither", [nameof(Host)]);
        }

        if (CommandTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Inbound:Smtp:CommandTimeout must be positive", [nameof(CommandTimeout)]);
        }

        if (string.IsNullOrWhiteSpace(CertificatePath))
        {
            yield break;
        }

        string? problem = null;
        if (!File.Exists(CertificatePath))
        {
            problem = $"Inbound:Smtp:CertificatePath: no file at {CertificatePath}";
        }
        else
        {
            try
            {
                using var certificate = LoadCertificate()!;
                if (!certificate.HasPrivateKey)
                {
                    problem = $"Inbound:Smtp:CertificatePath: {CertificatePath} has no private key; STARTTLS needs one";
                }
            }
            catch (CryptographicException e)
            {
                problem = $"Inbound:Smtp:CertificatePath: {CertificatePath} could not be read as a PKCS#12 file with Inbound:Smtp:CertificatePassword ({e.Message})";
            }
        }

        if (problem is not null)
        {
            yield return new ValidationResult(problem, [nameof(CertificatePath)]);
        }
    }
}
