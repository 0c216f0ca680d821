using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AgentMail.Review.Web.Instances;

/// <summary>
/// The SignalR backplane for several instances: <c>ConnectionStrings:Redis</c> (StackExchange.Redis form, e.g.
/// <c>redis.internal:6379,password=…</c>) and <c>Review:Redis:ChannelPrefix</c>, which keeps this deployment's hub
/// messages apart from anything else on the same Redis.
/// </summary>
public sealed class RedisBackplaneOptions
{
    public const string ConnectionStringName = "Redis";
    public const string Section = "Review:Redis";

    /// <summary>From <c>ConnectionStrings:Redis</c>; none means no backplane (one instance, or hub clients per instance).</summary>
    public string? ConnectionString { get; set; }

    public string ChannelPrefix { get; set; } = "agentmail-review";

    public bool Enabled => !string.IsNullOrWhiteSpace(ConnectionString);

    public static RedisBackplaneOptions From(IConfiguration configuration)
    {
        var options = new RedisBackplaneOptions();
        configuration.GetSection(Section).Bind(options);
        options.ConnectionString = configuration.GetConnectionString(ConnectionStringName);
        return options;
    }
}

public sealed class RedisBackplaneOptionsValidator : IValidateOptions<RedisBackplaneOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisBackplaneOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        try
        {
            var parsed = ConfigurationOptions.Parse(options.ConnectionString!);
            if (parsed.EndPoints.Count == 0)
            {
                failures.Add($"ConnectionStrings:{RedisBackplaneOptions.ConnectionStringName} names no Redis server (host:port)");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            failures.Add($"ConnectionStrings:{RedisBackplaneOptions.ConnectionStringName} is not a valid Redis connection string: {e.Message}");
        }

        if (string.IsNullOrWhiteSpace(options.ChannelPrefix) || options.ChannelPrefix.Any(char.IsWhiteSpace))
        {
            failures.Add($"{RedisBackplaneOptions.Section}:ChannelPrefix must be a non-empty word without spaces");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
