using System.Net;
using System.Text.RegularExpressions;

namespace AgentMail.Review.Bench;

/// <summary>
/// Signs a development user in the way a browser does (the app's sign-in → the Development identity provider's form
/// → the OpenID Connect callback) and keeps the console's session cookies, for clients that need a person, such as
/// the drafts hub.
/// </summary>
public static partial class ConsoleSignIn
{
    public const string DevelopmentPassword = "dev-password";

    private const string ReturnPath = "/account/me";

    public static async Task<CookieContainer> SignInAsync(Uri baseUrl, string email, string password, CancellationToken ct)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var history = new List<string>();

        var (formPage, formUrl) = await NavigateAsync(http, history, HttpMethod.Get, new Uri(baseUrl, $"/account/signin?returnUrl={Uri.EscapeDataString(ReturnPath)}"), null, ct);
        var html = await formPage.Content.ReadAsStringAsync(ct);
        if (formPage.StatusCode != HttpStatusCode.OK || FormPattern().Match(html) is not { Success: true } form)
        {
            throw new InvalidOperationException($"No sign-in form at the end of:\n{string.Join('\n', history)}");
        }

        var fields = new Dictionary<string, string>();
        foreach (Match input in InputPattern().Matches(form.Groups["body"].Value))
        {
            if (Attribute(input.Value, "name") is { } name)
            {
                fields[name] = Attribute(input.Value, "value") ?? "";
            }
        }

        fields["email"] = email;
        fields["password"] = password;
        var action = new Uri(formUrl, WebUtility.HtmlDecode(form.Groups["action"].Value));
        using var content = new FormUrlEncodedContent(fields);
        var (landing, landingUrl) = await NavigateAsync(http, history, HttpMethod.Post, action, content, ct);
        if (landing.StatusCode != HttpStatusCode.OK || landingUrl.AbsolutePath != ReturnPath)
        {
            throw new InvalidOperationException($"Signing in as {email} did not come back to {ReturnPath}:\n{string.Join('\n', history)}");
        }

        return cookies;
    }

    /// <summary>Follows redirects one hop at a time, as a browser does: 301/302/303 turn into a GET, 307/308 keep the method.</summary>
    private static async Task<(HttpResponseMessage Response, Uri Url)> NavigateAsync(
        HttpClient http, List<string> history, HttpMethod method, Uri target, HttpContent? content, CancellationToken ct)
    {
        for (var hop = 0; hop < 12; hop++)
        {
            using var request = new HttpRequestMessage(method, target) { Content = content };
            var response = await http.SendAsync(request, ct);
            history.Add($"{method} {target.PathAndQuery} -> {(int)response.StatusCode}");
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

            response.Dispose();
        }

        throw new InvalidOperationException($"More than 12 redirects while signing in:\n{string.Join('\n', history)}");
    }

    private static string? Attribute(string tag, string name)
    {
        var match = Regex.Match(tag, $"\\s{name}=\"(?<v>[^\"]*)\"");
        return match.Success ? WebUtility.HtmlDecode(match.Groups["v"].Value) : null;
    }

    [GeneratedRegex("""<form[^>]*action="(?<action>[^"]*)"[^>]*>(?<body>.*?)</form>""", RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    [GeneratedRegex("""<input[^>]*>""")]
    private static partial Regex InputPattern();
}
