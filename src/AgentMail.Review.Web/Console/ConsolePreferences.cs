using Microsoft.JSInterop;

namespace AgentMail.Review.Web.Console;

/// <summary>
/// The supervisor's theme and row density, kept in this browser (local storage) rather than on the server: two people
/// sharing an account keep their own. Until a theme is picked, the console follows the OS.
/// </summary>
public sealed class ConsolePreferences(IJSRuntime js)
{
    public const string Light = "light", Dark = "dark", Comfortable = "comfortable", Compact = "compact";

    /// <summary>What the browser keeps: the theme picked (null: none yet), the density, and whether the OS is dark.</summary>
    public sealed record Stored(string? Theme, string? Density, bool SystemDark);

    public bool IsDark { get; private set; }

    public bool IsCompact { get; private set; }

    public bool Loaded { get; private set; }

    /// <summary>Reads them once the browser can answer (after the first render; the circuit has no browser before).</summary>
    public async Task LoadAsync()
    {
        var stored = await js.InvokeAsync<Stored?>("reviewConsole.preferences");
        Apply(stored);
    }

    public void Apply(Stored? stored)
    {
        IsDark = stored?.Theme switch
        {
            Dark => true,
            Light => false,
            _ => stored?.SystemDark ?? false,
        };
        IsCompact = stored?.Density == Compact;
        Loaded = true;
    }

    public async Task SetDarkAsync(bool dark)
    {
        IsDark = dark;
        await js.InvokeVoidAsync("reviewConsole.savePreference", "theme", dark ? Dark : Light);
    }

    public async Task SetCompactAsync(bool compact)
    {
        IsCompact = compact;
        await js.InvokeVoidAsync("reviewConsole.savePreference", "density", compact ? Compact : Comfortable);
    }
}
