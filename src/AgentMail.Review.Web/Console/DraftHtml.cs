using AngleSharp.Html.Parser;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// An agent's html as the console shows it: sanitised, with remote images held back until the supervisor asks
/// (as a mail client does: they tell the sender the mail was read), in a document that loads nothing else.
/// </summary>
public sealed class DraftHtml(Ganss.Xss.HtmlSanitizer sanitizer)
{
    public sealed record Rendered(string Document, int BlockedImages);

    public Rendered Render(string html, bool showImages)
    {
        var clean = sanitizer.Sanitize(html);
        var blocked = 0;
        if (!showImages)
        {
            var document = new HtmlParser().ParseDocument($"<body>{clean}</body>");
            foreach (var image in document.QuerySelectorAll("img[src]"))
            {
                var src = image.GetAttribute("src") ?? "";
                if (!src.StartsWith("data:", StringComparison.OrdinalIgnoreCase) && !src.StartsWith("cid:", StringComparison.OrdinalIgnoreCase))
                {
                    image.RemoveAttribute("src");
                    image.SetAttribute("alt", image.GetAttribute("alt") is { Length: > 0 } alt ? $"[image: {alt}]" : "[image]");
                    blocked++;
                }
            }

            foreach (var styled in document.QuerySelectorAll("[style*='url(']"))
            {
                styled.RemoveAttribute("style");
                blocked++;
            }

            clean = document.Body!.InnerHtml;
        }

        // Even html that slipped past the sanitiser loads nothing remote unless asked, and runs nothing (no allow-scripts).
        var images = showImages ? "img-src https: data:" : "img-src data:";
        var document2 = $$"""
            <!DOCTYPE html><html><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; {{images}}">
            <style>html{color-scheme:light}body{margin:12px;font:14px/1.5 system-ui,sans-serif;color:#222;background:#fff;overflow-wrap:anywhere}img{max-width:100%;height:auto}table{max-width:100%}</style>
            </head><body>{{clean}}</body></html>
            """;
        return new Rendered(document2, blocked);
    }
}
