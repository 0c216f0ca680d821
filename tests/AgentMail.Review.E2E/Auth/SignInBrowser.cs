using System.Net;
using System.Text.RegularExpressions;

namespace AgentMail.Review.E2E.Auth;

/// <summary>
/// A browser reduced to what sign-in needs: a cookie jar, redirects followed one by one (so a test can see each
/// hop), and the ability to fill in and post an HTML form.
/// </summary>
public sealed partial class SignInBrowser : IDisposable
{
    private readonly HttpClient _http;

    public SignInBrowser(Uri baseUrl)
    {
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = Cookies, UseCookies = true })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public CookieContainer Cookies { get; } = new();

    /// <summary>Every request this browser made, with the status it got, in order.</summary>
    public List<string> History { get; } = [];

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _http.SendAsync(request);

    public Task<HttpResponseMessage> GetAsync(string url) => _http.GetAsync(url);

    /// <summary>Requests <paramref name="url"/> and follows redirects like a browser; returns the last response.</summary>
    public async Task<(HttpResponseMessage Response, Uri Url)> NavigateAsync(HttpMethod method, string url, HttpContent? content = null)
    {
        var target = new Uri(_http.BaseAddress!, url);
        for (var hop = 0; hop < 12; hop++)
        {
            var response = await _http.SendAsync(new HttpRequestMessage(method, target) { Content = content });
            History.Add($"{method} {target.PathAndQuery} -> {(int)response.StatusCode}");
            if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is null)
            {
                return (response, target);
            }

            target = new Uri(target, response.Headers.Location);
            if ((int)response.StatusCode is not (307 or 308))
            {
                method = HttpMethod.Get;
                content = null;
            }
        }

        throw new InvalidOperationException("more than 12 redirects:\n" + string.Join("\n", History));
    }

    /// <summary>The first form on the page: where it posts and its fields (hidden inputs included).</summary>
    public static HtmlForm ReadForm(string html)
    {
        var form = FormPattern().Match(html);
        Assert.True(form.Success, "no form on the page:\n" + html);
        var fields = new Dictionary<string, string>();
        foreach (Match input in InputPattern().Matches(form.Groups["body"].Value))
        {
            var name = Attribute(input.Value, "name");
            if (name is not null)
            {
                fields[name] = Attribute(input.Value, "value") ?? "";
            }
        }

        return new HtmlForm(WebUtility.HtmlDecode(form.Groups["action"].Value), fields);
    }

    public void Dispose() => _http.Dispose();

    private static string? Attribute(string tag, string name)
    {
        var match = Regex.Match(tag, $"""\s{name}="(?<v>[^"]*)" """.Trim());
        return match.Success ? WebUtility.HtmlDecode(match.Groups["v"].Value) : null;
    }

    [GeneratedRegex("""<form[^>]*action="(?<action>[^"]*)"[^>]*>(?<body>.*?)</form>""", RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    [GeneratedRegex("""<input[^>]*>""")]
    private static partial Regex InputPattern();
}

public sealed record HtmlForm(string Action, Dictionary<string, string> Fields)
{
    public FormUrlEncodedContent With(params (string Name, string Value)[] values)
    {
        var all = new Dictionary<string, string>(Fields);
        foreach (var (name, value) in values)
        {
            all[name] = value;
        }

        return new FormUrlEncodedContent(all);
    }
}
