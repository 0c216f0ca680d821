namespace AgentMail.Review.Core.Common;

public static class Ids
{
    /// <summary>Time-ordered ids keep inserts at the end of the primary-key index.</summary>
    public static string New() => Guid.CreateVersion7().ToString();
}
