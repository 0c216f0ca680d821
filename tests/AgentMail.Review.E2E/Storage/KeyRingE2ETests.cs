using System.Net;
using AgentMail.Review.E2E.Auth;
using AgentMail.Review.E2E.Support;

namespace AgentMail.Review.E2E.Storage;

/// <summary>
/// What the server signed (sign-in cookies, download links) it still honours after a restart, even when it comes back
/// under another account's profile — a new container, a redeploy, a service user without a home — because its key
/// ring lives in the store.
/// </summary>
[Collection(TestStreams.Browser)]
public sealed class KeyRingE2ETests
{
    private static readonly byte[] Report = [0x25, 0x50, 0x44, 0x46, 0x00, 0xFF, 0x10];

    [Fact]
    public async Task A_signed_in_supervisor_and_a_download_link_survive_a_restart_under_another_profile()
    {
        var server = await ServerProcess.StartAsync(new ServerOptions { Environment = Profile() });
        try
        {
            using var api = AgentApi.Client(server);
            var inbox = await api.CreateInboxAsync("keys");
            var draft = await api.PostJsonAsync($"/v0/inboxes/{inbox}/drafts", new
            {
                subject = "Report",
                attachments = new[] { new { filename = "report.pdf", content_type = "application/pdf", content = Convert.ToBase64String(Report) } },
            });
            var attachmentId = draft["attachments"]![0]!["attachment_id"]!.GetValue<string>();
            var link = (await api.GetJsonAsync($"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}/attachments/{attachmentId}"))["download_url"]!.GetValue<string>();
            using var browser = new SignInBrowser(server.BaseUrl);
            await SignedInServer.SignInAsync(browser, "supervisor@example.com", SignedInServer.Password, server);

            await server.StopAsync();
            server = await server.StartAgainAsync(Profile());

            using var anyone = new HttpClient();
            var download = await anyone.GetAsync(link);
            Assert.True(download.StatusCode == HttpStatusCode.OK, $"the link made before the restart: {(int)download.StatusCode} {await download.Content.ReadAsStringAsync()}");
            Assert.Equal(Report, await download.Content.ReadAsByteArrayAsync());
            var me = await browser.GetAsync("/account/me");
            Assert.True(me.StatusCode == HttpStatusCode.OK, $"the supervisor's session after the restart: {(int)me.StatusCode} {me.Headers.Location}");
            Assert.Contains("supervisor@example.com", await me.Content.ReadAsStringAsync());
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>A home of its own, as a fresh container or another service account has.</summary>
    private static Dictionary<string, string?> Profile() => new() { ["HOME"] = Directory.CreateTempSubdirectory("amr-home-").FullName };
}
