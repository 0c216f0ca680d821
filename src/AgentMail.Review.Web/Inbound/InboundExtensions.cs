namespace AgentMail.Review.Web.Inbound;

public static class InboundExtensions
{
    /// <summary>Receiving: the SMTP listener, handing each message to Core's <c>InboundMailService</c>.</summary>
    public static IServiceCollection AddReviewInbound(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<InboundSmtpOptions>().Bind(configuration.GetSection(InboundSmtpOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<SmtpListener>();
        return services;
    }
}
