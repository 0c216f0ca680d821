using Microsoft.Extensions.FileProviders;

namespace AgentMail.Review.Web.Assets;

public static class AssetsExtensions
{
    /// <summary>Serves the repository's <c>wwwroot-assets/</c> (stylesheet, script, icon), which the build copies next to the binaries.</summary>
    public static IApplicationBuilder UseReviewAssets(this WebApplication app)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "wwwroot-assets");
        if (!Directory.Exists(folder))
        {
            app.Logger.LogWarning("No static assets at {Folder}", folder);
            return app;
        }

        // The agents' API serves no files: its requests skip the look-up on disk.
        var files = new PhysicalFileProvider(folder);
        return app.UseWhen(
            context => !context.Request.Path.StartsWithSegments(Api.ApiPaths.Root, StringComparison.OrdinalIgnoreCase),
            branch => branch.UseStaticFiles(new StaticFileOptions { FileProvider = files }));
    }
}
