using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Core.Webhooks;

/// <summary>What one attempt got back: a status and the start of the body, or why there was no answer.</summary>
public sealed record AttemptResult(int? StatusCode, string? Response, string? Error)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>
/// Posts to endpoints: bounded in time, never following a redirect, reading at most a kilobyte of the answer, and
/// connecting only to addresses the <see cref="WebhookUrlPolicy"/> allows — checked at connection time, on the
/// address actually dialled, so a name that resolved to a public address when registered cannot be turned towards
/// this machine's network later.
/// </summary>
public sealed class WebhookHttp : IDisposable
{
    private readonly HttpClient _client;

    public WebhookHttp(WebhookUrlPolicy policy, IOptions<WebhookOptions> options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            // Through a proxy the address dialled would be the proxy's, and the check below would not see the endpoint's.
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = options.Value.Timeout,
            MaxResponseHeadersLength = 64,
            ConnectCallback = async (context, ct) =>
            {
                var host = context.DnsEndPoint.Host;
                var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
                if (addresses.FirstOrDefault(policy.Refuses) is { } refused)
                {
                    throw new PrivateAddressException($"{host} resolves to {refused}, a loopback, private or link-local address");
                }

                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _client = new HttpClient(handler) { Timeout = options.Value.Timeout };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("AgentMail-Review-Webhooks/1.0");
    }

    public async Task<AttemptResult> PostAsync(string url, byte[] body, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[WebhookOptions.KeptResponseBytes];
            var read = 0;
            while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), ct) is var n and > 0)
            {
                read += n;
            }

            return new AttemptResult((int)response.StatusCode, read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read), null);
        }
        catch (HttpRequestException e) when (e.InnerException is PrivateAddressException refused)
        {
            return new AttemptResult(null, null, refused.Message);
        }
        catch (HttpRequestException e)
        {
            return new AttemptResult(null, null, e.Message);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new AttemptResult(null, null, $"no answer within {_client.Timeout.TotalSeconds:0} s");
        }
    }

    public void Dispose() => _client.Dispose();

    private sealed class PrivateAddressException(string message) : Exception(message);
}
