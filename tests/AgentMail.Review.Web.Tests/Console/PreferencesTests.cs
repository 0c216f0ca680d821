using AgentMail.Review.Web.Components.Layout;
using AgentMail.Review.Web.Console;
using AgentMail.Review.Web.Tests.Support;
using Bunit;
using Microsoft.AspNetCore.Components;

namespace AgentMail.Review.Web.Tests.Console;

/// <summary>Theme and density are the browser's: read from it on the first render, written back when the supervisor picks.</summary>
public sealed class PreferencesTests : ConsoleTestContext
{
    private IRenderedComponent<MainLayout> RenderLayout(ConsolePreferences.Stored stored)
    {
        SignInAsSupervisor();
        JSInterop.Setup<ConsolePreferences.Stored?>("reviewConsole.preferences").SetResult(stored);
        return Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "queue"))));
    }

    private static AngleSharp.Dom.IElement Button(IRenderedComponent<MainLayout> cut, string name) => cut.Find($"button[aria-label='{name}']");

    [Fact]
    public void With_nothing_picked_the_theme_follows_the_os()
    {
        var cut = RenderLayout(new ConsolePreferences.Stored(null, null, SystemDark: true));

        cut.WaitForAssertion(() => Assert.Equal("dark", cut.Find(".review-main").GetAttribute("data-theme")));
        Assert.NotNull(Button(cut, "Light theme"));
        Assert.DoesNotContain("review-density-compact", cut.Find(".review-main").ClassName);
    }

    [Fact]
    public void A_picked_theme_and_density_are_shown_and_a_new_pick_is_remembered_in_the_browser()
    {
        var cut = RenderLayout(new ConsolePreferences.Stored(ConsolePreferences.Light, ConsolePreferences.Compact, SystemDark: true));
        cut.WaitForAssertion(() => Assert.Equal("light", cut.Find(".review-main").GetAttribute("data-theme")));
        Assert.Contains("review-density-compact", cut.Find(".review-main").ClassName);

        Button(cut, "Dark theme").Click();
        Button(cut, "Comfortable rows").Click();

        Assert.Equal("dark", cut.Find(".review-main").GetAttribute("data-theme"));
        Assert.DoesNotContain("review-density-compact", cut.Find(".review-main").ClassName);
        var saved = JSInterop.Invocations.Where(i => i.Identifier == "reviewConsole.savePreference").Select(i => ((string)i.Arguments[0]!, (string)i.Arguments[1]!)).ToList();
        Assert.Equal([("theme", "dark"), ("density", "comfortable")], saved);
    }
}
