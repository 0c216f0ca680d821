using AgentMail.Review.Core;
using AgentMail.Review.Web.Api;
using AgentMail.Review.Web.Assets;
using AgentMail.Review.Web.Attachments;
using AgentMail.Review.Web.Auth;
using AgentMail.Review.Web.Console;
using AgentMail.Review.Web.Drafts;
using AgentMail.Review.Web.Events;
using AgentMail.Review.Web.Health;
using AgentMail.Review.Web.Hosting;
using AgentMail.Review.Web.Inbound;
using AgentMail.Review.Web.Inboxes;
using AgentMail.Review.Web.Instances;
using AgentMail.Review.Web.Messages;
using AgentMail.Review.Web.Scheduling;
using AgentMail.Review.Web.Store;
using AgentMail.Review.Web.Threads;
using AgentMail.Review.Web.Webhooks;

var builder = WebApplication.CreateBuilder(HostSettings.Options(args));
builder.AddSettingsFilesBesideBinaries();

builder.Services.AddReviewCore(builder.Configuration);
builder.Services.AddReviewKeyRing();
builder.Services.AddReviewApi(builder.Configuration);
builder.Services.AddReviewAttachments();
builder.Services.AddReviewScheduling(builder.Configuration);
builder.Services.AddReviewAuth();
builder.Services.AddReviewSignIn(builder.Configuration, builder.Environment);
builder.Services.AddReviewRateLimiting(builder.Configuration);
builder.Services.AddReviewConsole();
builder.Services.AddReviewInstances(builder.Configuration);
builder.Services.AddReviewProxyHeaders(builder.Configuration);
builder.Services.AddReviewHealth();
builder.Services.AddReviewInbound(builder.Configuration);
builder.Services.AddReviewWebhooks();

var app = builder.Build();
if (await app.RunStoreCommandAsync(args))
{
    return;
}

app.UseReviewProxyHeaders();
app.UseExceptionHandler();
app.UseApiRouteErrors();
app.UseReviewSecurityHeaders();
app.UseReviewAssets();
app.UseAuthentication();
app.UseAuthorization();
app.UseReviewRateLimiting();
app.UseAntiforgery();

app.MapReviewHealth();
app.MapReviewSignIn();
app.MapOpenApi();
app.MapInboxesApi();
app.MapDraftsApi();
app.MapMessagesApi();
app.MapThreadsApi();
app.MapAttachmentsApi();
app.MapWebhooksApi();
app.MapEventsWebSocket();
app.MapReviewScheduling();
app.MapReviewConsole();

app.ValidateSettings();
await app.PrepareStoreAsync();
await app.EnsureDevelopmentApiKeyAsync();
await app.StartSchedulingAsync();
app.Run();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
