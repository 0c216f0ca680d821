using AgentMail.Review.Core.Delivery;
using AgentMail.Review.Core.Drafts;
using AgentMail.Review.Core.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Core.Tests.Delivery;

/// <summary>Sign-in and TLS against the real SMTP sink: settings mistakes fail at once instead of being retried.</summary>
public sealed class SmtpSecurityTests
{
    [Fact]
    public async Task Configured_user_and_password_sign_in_and_the_message_is_accepted()
    {
        await using var sink = await SmtpSink.StartAsync("--auth", "robot:s3cret");
        var settings = SmtpSettings.For(sink.Port);
        settings["Delivery:Smtp:User"] = "robot";
        settings["Delivery:Smtp:Password"] = "s3cret";

        var (outcome, store) = await SendOneAsync(settings);
        await using var _ = store;

        Assert.Equal(SendResult.Sent, outcome.Result);
        Assert.Single(sink.Received());
        Assert.Empty(sink.Refusals());
    }

    [Fact]
    public async Task Wrong_password_fails_at_once_naming_the_server_and_user_but_not_the_password()
    {
        await using var sink = await SmtpSink.StartAsync("--auth", "robot:s3cret");
        var settings = SmtpSettings.For(sink.Port, maxAttempts: 4);
        settings["Delivery:Smtp:User"] = "robot";
        settings["Delivery:Smtp:Password"] = "wrong-password";

        var (outcome, store) = await SendOneAsync(settings);
        await using var _ = store;

        Assert.Equal(SendResult.Failed, outcome.Result);
        Assert.StartsWith($"SMTP server 127.0.0.1:{sink.Port} rejected the credentials of user robot", outcome.FailureReason);
        Assert.DoesNotContain("wrong-password", outcome.FailureReason);
        Assert.DoesNotContain("gave up", outcome.FailureReason);
        Assert.Equal(["AUTH 535 robot"], sink.Refusals());
        Assert.Empty(sink.Received());
        await AssertFailedWithoutMessageAsync(store, outcome.FailureReason);
    }

    [Fact]
    public async Task Untrusted_TLS_certificate_fails_at_once_as_a_handshake_failure()
    {
        // The sink presents smtp-server's built-in self-signed certificate for localhost, which validation rightly refuses.
        await using var sink = await SmtpSink.StartAsync("--tls");
        var settings = SmtpSettings.For(sink.Port, maxAttempts: 4);
        settings["Delivery:Smtp:Security"] = "SslOnConnect";

        var (outcome, store) = await SendOneAsync(settings);
        await using var _ = store;

        Assert.Equal(SendResult.Failed, outcome.Result);
        Assert.StartsWith($"TLS handshake with SMTP server 127.0.0.1:{sink.Port} failed: ", outcome.FailureReason);
        Assert.Contains("certificate", outcome.FailureReason);
        Assert.DoesNotContain("\n", outcome.FailureReason, StringComparison.Ordinal);
        Assert.DoesNotContain("gave up", outcome.FailureReason);
        Assert.Empty(sink.Received());
        await AssertFailedWithoutMessageAsync(store, outcome.FailureReason);
    }

    [Fact]
    public async Task Required_STARTTLS_that_the_server_does_not_offer_fails_at_once()
    {
        await using var sink = await SmtpSink.StartAsync();
        var settings = SmtpSettings.For(sink.Port, maxAttempts: 4);
        settings["Delivery:Smtp:Security"] = "StartTls";

        var (outcome, store) = await SendOneAsync(settings);
        await using var _ = store;

        Assert.Equal(SendResult.Failed, outcome.Result);
        Assert.StartsWith($"SMTP server 127.0.0.1:{sink.Port} cannot be used with these settings", outcome.FailureReason);
        Assert.Contains("STARTTLS", outcome.FailureReason);
        Assert.DoesNotContain("gave up", outcome.FailureReason);
        Assert.Empty(sink.Received());
        await AssertFailedWithoutMessageAsync(store, outcome.FailureReason);
    }

    private static async Task<(SendOutcome Outcome, TestStore Store)> SendOneAsync(Dictionary<string, string?> settings)
    {
        var store = await TestStore.CreateAsync(settings);
        var inbox = await store.CreateInboxAsync();
        var draft = await store.Get<DraftsService>().CreateAsync(TestActors.Agent, inbox.InboxId, new NewDraft
        {
            To = ["bob@example.net"],
            Subject = "Signed in",
            Text = "Hello.",
        });
        return (await store.Get<DraftSender>().SendAsync(TestActors.Agent, draft.DraftId, draft.Version, "test"), store);
    }

    private static async Task AssertFailedWithoutMessageAsync(TestStore store, string? reason)
    {
        await using var db = store.OpenDb();
        var draft = await db.Drafts.SingleAsync();
        Assert.Equal(DraftState.Failed, draft.State);
        Assert.Equal(reason, draft.FailureReason);
        Assert.False(await db.Messages.AnyAsync());
    }
}
