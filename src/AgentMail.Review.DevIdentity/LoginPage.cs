using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;

namespace AgentMail.Review.DevIdentity;

/// <summary>The provider's sign-in form: plain HTML, no script, every value encoded.</summary>
internal static class LoginPage
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static IResult Render(HttpContext http, IAntiforgery antiforgery, string returnUrl, string? email, string? error, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var action = http.Request.PathBase + DevIdentityOptions.PathPrefix + "/account/login";
        var users = string.Join("", DevUsers.All.Select(u => $"<li><code>{Html.Encode(u.Email)}</code> — {Html.Encode(u.Role)}</li>"));
        var errorBlock = error is null ? "" : $"""<p id="signin-error" class="error" role="alert">{Html.Encode(error)}</p>""";
        var describedBy = error is null ? "" : """ aria-describedby="signin-error" aria-invalid="true" """;
        var body = $"""
            <h1>Sign in</h1>
            <p>Development sign-in for AgentMail Review. Not available outside the Development environment.</p>
            {errorBlock}
            <form method="post" action="{Html.Encode(action)}">
              <input type="hidden" name="{Html.Encode(tokens.FormFieldName)}" value="{Html.Encode(tokens.RequestToken ?? "")}">
              <input type="hidden" name="returnUrl" value="{Html.Encode(returnUrl)}">
              <p><label for="email">Email</label><br>
                 <input id="email" name="email" type="email" autocomplete="username" required autofocus value="{Html.Encode(email ?? "")}"{describedBy}></p>
              <p><label for="password">Password</label><br>
                 <input id="password" name="password" type="password" autocomplete="current-password" required{describedBy}></p>
              <p><button type="submit">Sign in</button></p>
            </form>
            <h2>Development users</h2>
            <ul>{users}</ul>
            """;
        return Page("Sign in — AgentMail Review (development)", body, status);
    }

    public static IResult Problem(string message) =>
        Page("Sign-in problem — AgentMail Review (development)", $"""<h1>Sign-in problem</h1><p role="alert">{Html.Encode(message)}</p>""", StatusCodes.Status400BadRequest);

    private static IResult Page(string title, string body, int status) => Results.Content(
        $"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>{Html.Encode(title)}</title>
          <link rel="stylesheet" href="/css/review.css">
        </head>
        <body><main class="account-page">
        {body}
        </main></body>
        </html>
        """,
        "text/html; charset=utf-8",
        statusCode: status);
}
