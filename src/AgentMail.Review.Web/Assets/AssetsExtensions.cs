using Microsoft.Extensions.FileProviders;

namespace AgentMail.Review.Web.Assets;

public static class AssetsExtensions
{
    /// <summary>Serves the repository's <c>wwwroot-assets/</c>, which the build copies next to the binaries.</summary>
    public static IApplicationBuilder UseReviewAssets(this WebApplication app)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "wwwroot-assets");
        if (!Directory.Exists(folder))
        {
            app.Logger.LogWarning("No static assets at {Folder}", folder);
            return app;
        }

        var files = new PhysicalFileProvider(folder);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        return app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
    }
}
