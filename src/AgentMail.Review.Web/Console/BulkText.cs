using AgentMail.Review.Core.Drafts;

namespace AgentMail.Review.Web.Console;

/// <summary>How the console words a bulk operation's progress.</summary>
public static class BulkText
{
    public static string Doing(BulkKind kind) => kind == BulkKind.Approve ? "Approving and sending" : "Deleting";

    public static string Done(BulkKind kind) => kind == BulkKind.Approve ? "approved" : "deleted";

    public static string Describe(BulkProgress p)
    {
        var skipped = p.Skipped == 0 ? "" : $", {p.Skipped} skipped (changed after you selected {(p.Skipped == 1 ? "it" : "them")})";
        var failed = p.Failed == 0 ? "" : $", {p.Failed} failed";
        return p.Finished
            ? $"Done: {p.Succeeded} of {p.Total} {Done(p.Kind)}{skipped}{failed}."
            : $"{Doing(p.Kind)} {p.Total} drafts: {p.Done} of {p.Total} done{skipped}{failed}…";
    }
}
