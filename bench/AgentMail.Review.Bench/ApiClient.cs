using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace AgentMail.Review.Bench;

/// <summary>A thin AgentMail v0 client: just what the scenarios call, timing each request end to end (body read).</summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(Uri baseUrl, string apiKey, int connections = 32)
    {
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(100),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    /// <summary>GETs a path and returns the status, the parsed body and the elapsed time including reading the body.</summary>
    public async Task<(HttpStatusCode Status, JsonDocument? Body, double Milliseconds)> GetAsync(string path, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseContentRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        return (response.StatusCode, bytes.Length == 0 ? null : JsonDocument.Parse(bytes), elapsed);
    }

    /// <summary>GETs a path, reading the whole body but not parsing it: the timed loop measures the server, not us.</summary>
    public async Task<(HttpStatusCode Status, int Bytes, double Milliseconds)> TimeGetAsync(string path, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseContentRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        return (response.StatusCode, bytes.Length, clock.Elapsed.TotalMilliseconds);
    }

    public Task<(HttpStatusCode Status, string Body, double Milliseconds)> PostAsync(string path, object body, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, path, body, ct);

    public Task<(HttpStatusCode Status, string Body, double Milliseconds)> PatchAsync(string path, object body, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Patch, path, body, ct);

    public async Task<HttpStatusCode> DeleteAsync(string path, CancellationToken ct = default)
    {
        using var response = await _http.DeleteAsync(path, ct);
        return response.StatusCode;
    }

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode Status, string Body, double Milliseconds)> SendJsonAsync(HttpMethod method, string path, object body, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
        using var response = await _http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return (response.StatusCode, text, clock.Elapsed.TotalMilliseconds);
    }
}
