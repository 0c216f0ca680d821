using System.ComponentModel.DataAnnotations;

namespace AgentMail.Review.Web.Console;

/// <summary>Bound from <c>Review:Console</c>.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Review:Console";

    /// <summary>How long an approved draft waits before it leaves, so the supervisor can undo; 0 sends at once.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "Review:Console:UndoWindow must be between 0 and 5 minutes")]
    public TimeSpan UndoWindow { get; set; } = TimeSpan.FromSeconds(5);

    [Range(10, 200, ErrorMessage = "Review:Console:PageSize must be between 10 and 200")]
    public int PageSize { get; set; } = 50;
}
