using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StandardWebhooks;

namespace AgentMail.Review.Web.Tests.Support;

/// <summary>One POST the receiver took, and whether its signature verified (with Svix's headers and with Standard Webhooks').</summary>
public sealed record ReceivedWebhook(string Body, IReadOnlyDictionary<string, string> Headers, bool SvixVerified, bool StandardVerified, int AnsweredWith)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    public string EventType => Json["event_type"]!.GetValue<string>();
}

/// <summary>
/// A real HTTP endpoint on loopback (Kestrel) that checks every delivery's signature with the StandardWebhooks
/// library, as an agent's handler would, and answers what the test says (200 unless told otherwise).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedWebhook> _received = Channel.CreateUnbounded<ReceivedWebhook>();
    private readonly ConcurrentQueue<int> _answers = new();

    private WebhookReceiver(WebApplication app, TimeProvider? clock)
    {
        _app = app;
        _clock = clock;
    }

    private readonly TimeProvider? _clock;

    /// <summary>Set after the webhook is created; deliveries before it are refused as unverifiable.</summary>
    public string? Secret { get; set; }

    /// <summary>Answered when no queued answer is left.</summary>
    public int DefaultStatus { get; set; } = 200;

    /// <summary>The body answered instead of a short text; a 3xx also names <c>/elsewhere</c> as its Location.</summary>
    public string? ResponseBody { get; set; }

    /// <summary>A handler run on each verified delivery before answering (the seed's webhook code).</summary>
    public Func<JsonObject, Task>? Handler { get; set; }

    public string Url { get; private set; } = "";

    public List<ReceivedWebhook> All { get; } = [];

    /// <param name="clock">
    /// The sender's clock when the test drives it: the StandardWebhooks library judges a timestamp's age by the wall
    /// clock, so against a test clock the same check (HMAC-SHA256 over id.timestamp.body, timestamp within five
    /// minutes) is made here against <paramref name="clock"/>.
    /// </param>
    public static async Task<WebhookReceiver> StartAsync(TimeProvider? clock = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, clock);
        app.MapPost("/hook", (Func<HttpContext, Task<IResult>>)receiver.HandleAsync);
        app.MapPost("/elsewhere", () => Results.Ok("followed"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = $"{address}/hook";
        return receiver;
    }

    public void AnswerNext(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _answers.Enqueue(status);
        }
    }

    public async Task<ReceivedWebhook> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        return await _received.Reader.ReadAsync(cts.Token);
    }

    /// <summary>The next delivery of <paramref name="eventType"/>, passing over others.</summary>
    public async Task<ReceivedWebhook> NextOfAsync(string eventType, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var next = await _received.Reader.ReadAsync(cts.Token);
            if (next.EventType == eventType)
            {
                return next;
            }
        }
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var svix = Verifies(body, context.Request.Headers, WebhookConfigurationOptions.Svix);
        var standard = Verifies(body, context.Request.Headers, WebhookConfigurationOptions.StandardWebhooks);
        var status = _answers.TryDequeue(out var queued) ? queued : DefaultStatus;
        if (!svix)
        {
            status = 401;
        }
        else if (status is >= 200 and < 300 && Handler is { } handler)
        {
            await handler(JsonNode.Parse(body)!.AsObject());
        }

        var received = new ReceivedWebhook(body, headers, svix, standard, status);
        lock (All)
        {
            All.Add(received);
        }

        await _received.Writer.WriteAsync(received);
        if (status is >= 300 and < 400)
        {
            context.Response.Headers.Location = "/elsewhere";
        }

        return Results.Text(ResponseBody ?? (status == 200 ? "ok" : $"answered {status}"), statusCode: status);
    }

    private bool Verifies(string body, IHeaderDictionary headers, WebhookConfigurationOptions options)
    {
        if (Secret is null)
        {
            return false;
        }

        if (_clock is not null)
        {
            var prefix = options == WebhookConfigurationOptions.Svix ? "svix" : "webhook";
            var id = headers[$"{prefix}-id"].ToString();
            var timestamp = long.Parse(headers[$"{prefix}-timestamp"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            var key = Convert.FromBase64String(Secret["whsec_".Length..]);
            var expected = "v1," + Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
            return Math.Abs(_clock.GetUtcNow().ToUnixTimeSeconds() - timestamp) <= 300
                   && headers[$"{prefix}-signature"].ToString().Split(' ').Contains(expected);
        }

        try
        {
            new StandardWebhook(Secret, options).Verify(body, headers);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
