using MudBlazor;

namespace AgentMail.Review.Web.Components.Layout;

public static class ReviewTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight { Primary = "#3f51b5", Secondary = "#4caf50", AppbarBackground = "#3f51b5" },
        PaletteDark = new PaletteDark { Primary = "#8c9eff", Secondary = "#81c784" },
    };
}
