using System.Net;
using System.Net.Sockets;
using AgentMail.Review.Web.Inbound;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;

namespace AgentMail.Review.Web.Tests.Inbound;

/// <summary>A host whose SMTP listener is on, with the given settings.</summary>
public sealed class ListenerFactory(IDictionary<string, string?> settings) : ReviewApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(settings) { ["Inbound:Smtp:Enabled"] = "true" };
}

/// <summary>A bad listener setting stops start-up with a message naming the key.</summary>
public sealed class InboundSettingsTests
{
    private static string Messages(Exception? error)
    {
        var text = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            text.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                text.AddRange(aggregate.InnerExceptions.Select(i => i.Message));
            }
        }

        return string.Join(" | ", text);
    }

    [Theory]
    [InlineData("Inbound:Smtp:Host", "mail.example.com", "Inbound:Smtp:Host")]
    [InlineData("Inbound:Smtp:Port", "70000", "Inbound:Smtp:Port")]
    [InlineData("Inbound:Smtp:MaxMessageBytes", "0", "Inbound:Smtp:MaxMessageBytes")]
    [InlineData("Inbound:Smtp:CertificatePath", "/nonexistent/listener.pfx", "Inbound:Smtp:CertificatePath")]
    public void A_bad_listener_setting_stops_start_up_naming_the_key(string key, string value, string named)
    {
        using var factory = new ListenerFactory(new Dictionary<string, string?> { ["Inbound:Smtp:Port"] = "0", [key] = value });

        var error = Record.Exception(() => factory.CreateClient());

        Assert.NotNull(error);
        Assert.Contains(named, Messages(error));
    }

    [Fact]
    public void A_port_already_in_use_stops_start_up_saying_which_setting_to_change()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var factory = new ListenerFactory(new Dictionary<string, string?> { ["Inbound:Smtp:Port"] = port.ToString() });

        var error = Record.Exception(() => factory.CreateClient());

        Assert.NotNull(error);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", Messages(error));
        Assert.Contains("Inbound:Smtp:Port", Messages(error));
    }

    [Theory]
    [InlineData("Development", null, true)]
    [InlineData("Production", null, false)]
    [InlineData("Staging", null, false)]
    [InlineData("Production", true, true)]
    [InlineData("Development", false, false)]
    public void The_listener_is_on_by_default_only_in_Development(string environment, bool? enabled, bool on)
    {
        var options = new InboundSmtpOptions { Enabled = enabled };

        Assert.Equal(on, options.IsEnabled(new HostingEnvironment { EnvironmentName = environment }));
        Assert.Equal(2525, options.Port);
        Assert.Equal("127.0.0.1", options.Host);
    }
}
