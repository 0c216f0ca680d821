using Microsoft.Extensions.FileProviders;

namespace AgentMail.Review.Web.Assets;

public static class AssetsExtensions
{
    /// <summary>
    /// The host's options. A published server serves the console's framework and component files from the
    /// <c>wwwroot</c> next to its binaries, whatever directory it is started in (the default is the working directory's);
    /// a build for <c>dotnet run</c> has none there and serves them from the build's static web assets. Settings files
    /// are read once: settings are validated at start, and watching the working directory for changes to them would
    /// wake a thread on every write of a SQLite file kept there.
    /// </summary>
    public static WebApplicationOptions HostOptions(string[] args)
    {
        var published = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false", .. args],
            WebRootPath = Directory.Exists(published) ? published : null,
        };
    }

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
