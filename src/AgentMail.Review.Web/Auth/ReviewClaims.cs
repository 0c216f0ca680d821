namespace AgentMail.Review.Web.Auth;

public static class ReviewClaims
{
    public const string ApiKeyId = "review:api_key_id";
    public const string Inbox = "review:inbox";
    public const string CanSend = "review:can_send";
}
