using Microsoft.AspNetCore.Components;

namespace AgentMail.Review.Web.Components.Drafts;

/// <summary>
/// A panel that renders again only when something it shows is another value. The queue page renders on every live
/// change to any draft; its panels that show the same as before (the filters, the head, the pager, the reading pane)
/// are most of what such a render would otherwise rebuild. A panel keeping state of its own lists it in
/// <see cref="Shown"/> as well.
/// </summary>
public abstract class RendersWhenShownChanges : ComponentBase
{
    private object?[]? _rendered;

    /// <summary>Everything the panel shows, compared with <see cref="object.Equals(object?, object?)"/> each.</summary>
    protected abstract object?[] Shown { get; }

    protected override bool ShouldRender() => _rendered is null || !_rendered.SequenceEqual(Shown);

    protected override void OnAfterRender(bool firstRender) => _rendered = Shown;
}
