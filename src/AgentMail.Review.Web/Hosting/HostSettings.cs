using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;

namespace AgentMail.Review.Web.Hosting;

/// <summary>How the host is made, and which settings files it reads from next to its binaries.</summary>
public static class HostSettings
{
    /// <summary>
    /// The host's options. A published server serves the console's framework and component files from the
    /// <c>wwwroot</c> next to its binaries, whatever directory it is started in (the default is the working directory's);
    /// a build for <c>dotnet run</c> has none there and serves them from the build's static web assets. Settings files
    /// are read once: settings are validated at start, and watching the working directory for changes to them would
    /// wake a thread on every write of a SQLite file kept there.
    /// </summary>
    public static WebApplicationOptions Options(string[] args)
    {
        var published = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false", .. args],
            WebRootPath = Directory.Exists(published) ? published : null,
        };
    }

    /// <summary>
    /// The settings files that ship next to the binaries. The host reads <c>appsettings.json</c> from its content root,
    /// the working directory: a server started elsewhere (a service manager's working directory, a data folder) reads
    /// the copy next to its binaries first, and one in the working directory still wins over it. In Development the one
    /// configuration file lives at the repository's top level and is copied next to the binaries; it is read right
    /// after every other settings file, so environment variables and the command line still win.
    /// </summary>
    public static void AddSettingsFilesBesideBinaries(this WebApplicationBuilder builder)
    {
        var sources = builder.Configuration.Sources;
        // Compared as folders: a resolved source's Path is the bare file name, relative to its own file provider.
        if (!string.Equals(Path.GetFullPath(AppContext.BaseDirectory).TrimEnd(Path.DirectorySeparatorChar),
                Path.GetFullPath(builder.Environment.ContentRootPath).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
        {
            var firstJsonFile = sources.ToList().FindIndex(s => s is JsonConfigurationSource);
            sources.Insert(firstJsonFile < 0 ? 0 : firstJsonFile, BesideBinaries("appsettings.json"));
        }

        if (builder.Environment.IsDevelopment())
        {
            sources.Insert(sources.ToList().FindLastIndex(s => s is JsonConfigurationSource) + 1, BesideBinaries("appsettings.Development.json"));
        }
    }

    /// <summary>
    /// Checks the settings validated at start now, before the store is touched: a server that cannot start (no sign-in
    /// provider configured, a bad SMTP setting) leaves no new store behind, and says so before any migration runs.
    /// </summary>
    public static void ValidateSettings(this WebApplication app) => app.Services.GetService<IStartupValidator>()?.Validate();

    private static JsonConfigurationSource BesideBinaries(string fileName)
    {
        var source = new JsonConfigurationSource { Path = Path.Combine(AppContext.BaseDirectory, fileName), Optional = true, ReloadOnChange = false };
        source.ResolveFileProvider();
        return source;
    }
}
