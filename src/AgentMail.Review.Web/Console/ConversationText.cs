using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Messages;

namespace AgentMail.Review.Web.Console;

/// <summary>How the console words conversations: which messages came in, why a follow-up was held, and a thread's reply.</summary>
public static class ConversationText
{
    /// <summary>A message that came in over SMTP (as opposed to one this server sent).</summary>
    public static bool IsReceived(Message message) => message.Labels.Contains(Message.ReceivedLabel) || message.DraftId is null && !message.Labels.Contains(Message.SentLabel);

    /// <summary>
    /// A draft's hold reason in the supervisor's zone: "a reply from bob@… arrived Tue 24 Nov 2026, 10:00 CET; held for a
    /// person" rather than the stored UTC wording. Any other reason is shown as it is.
    /// </summary>
    public static string HeldReason(string reason, BrowserClock clock) =>
        DraftsService.ReadHeldForReplyReason(reason) is { } held
            ? $"a reply from {held.From} arrived {clock.Format(held.At)} ({clock.Relative(held.At)}); held for a person"
            : reason;

    /// <summary>The row's short marker for a held draft: why, in a few words.</summary>
    public static string HeldFlag(string reason) => DraftsService.ReadHeldForReplyReason(reason) is not null ? "held · a reply arrived" : "held";

    /// <summary>The row's marker title: when the thread last received a reply.</summary>
    public static string RepliedTitle(DateTime at, BrowserClock clock) => $"a reply arrived in this thread {clock.Format(at)} ({clock.Relative(at)})";
}
