namespace AgentMail.Review.Core.Drafts;

/// <summary>
/// What recipients would read of a draft: its addresses, subject and bodies. Kept as the agent last wrote it
/// (<see cref="Draft.AgentVersion"/>), so a supervisor's changes can be shown against it and an approval records them.
/// </summary>
public sealed class DraftText
{
    public List<string> To { get; set; } = [];

    public List<string> Cc { get; set; } = [];

    public List<string> Bcc { get; set; } = [];

    public string? Subject { get; set; }

    public string? Text { get; set; }

    public string? Html { get; set; }

    public static DraftText Of(Draft draft) => new()
    {
        To = [.. draft.To],
        Cc = [.. draft.Cc],
        Bcc = [.. draft.Bcc],
        Subject = draft.Subject,
        Text = draft.Text,
        Html = draft.Html,
    };

    /// <summary>The wire names of the fields that differ between the two, in a stable order.</summary>
    public static IReadOnlyList<string> ChangedFields(DraftText before, DraftText after)
    {
        var changed = new List<string>();
        if (!before.To.SequenceEqual(after.To)) changed.Add("to");
        if (!before.Cc.SequenceEqual(after.Cc)) changed.Add("cc");
        if (!before.Bcc.SequenceEqual(after.Bcc)) changed.Add("bcc");
        if (before.Subject != after.Subject) changed.Add("subject");
        if (before.Text != after.Text) changed.Add("text");
        if (before.Html != after.Html) changed.Add("html");
        return changed;
    }
}
