namespace AgentMail.Review.Web.Api;

public static class ApiPaths
{
    /// <summary>Where AgentMail's v0 API lives; an agent's SDK points its base URL at the server and adds this.</summary>
    public const string Root = "/v0";
}
