using System.Net;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Web.Tests.Drafts;

public sealed class SmallLimitsFactory : ReviewApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Review:Limits:MaxBodyBytes"] = "1000",
        ["Review:Limits:MaxAttachmentBytes"] = "2000",
        ["Review:Limits:MaxTotalAttachmentBytes"] = "3000",
        ["Review:Limits:MaxLabelLength"] = "20",
    };
}

/// <summary>Bad input gets a 400 ValidationError naming the field, and nothing is written.</summary>
public sealed class DraftValidationApiTests(SmallLimitsFactory factory) : IClassFixture<SmallLimitsFactory>
{
    private readonly HttpClient _api = factory.CreateAgentClient();

    public static TheoryData<string, string> BadCreates => new()
    {
        { """{"to":["not an address"]}""", "to[0]" },
        { """{"to":["ok@example.com","bob@"]}""", "to[1]" },
        { """{"cc":["a@example.com\r\nBcc: victim@example.com"]}""", "cc[0]" },
        { """{"subject":"Hello\r\nBcc: victim@example.com"}""", "subject" },
        { """{"subject":"line\nbreak"}""", "subject" },
        { """{"to":5}""", "to" },
        { """{"to":[5]}""", "to[0]" },
        { """{"subject":["array"]}""", "subject" },
        { """{"send_at":"next tuesday"}""", "send_at" },
        { """{"send_at":1700000000}""", "send_at" },
        { """{"send_at":"2001-01-01T00:00:00Z"}""", "send_at" },
        { """{"labels":[""]}""", "labels[0]" },
        { """{"labels":["a-label-that-is-much-too-long"]}""", "labels[0]" },
        { """{"in_reply_to":"<no-such-message@example.com>"}""", "in_reply_to" },
        { """{"reply_all":true}""", "reply_all" },
        { """{"forward_of":"<m@example.com>"}""", "forward_of" },
        { """{"attachments":[{"filename":"a.bin","content":"not base64!"}]}""", "attachments[0].content" },
        { """{"attachments":[{"filename":"a.bin","url":"https://example.com/a.bin"}]}""", "attachments[0].url" },
        { """{"attachments":[{"filename":"bad\r\nname.txt","content":"aGk="}]}""", "attachments[0].filename" },
        { """[1,2,3]""", "body" },
        { """{"subject": """, "body" },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task A_bad_create_names_the_field_and_writes_nothing(string json, string field)
    {
        var inbox = await _api.CreateInboxAsync();

        var response = await _api.PostRawJsonAsync($"/v0/inboxes/{inbox}/drafts", json);
        var error = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ValidationError", error["name"]!.GetValue<string>());
        Assert.Contains(field, error.ErrorFields().Split(','));
        await using var db = factory.OpenDb();
        Assert.False(await db.Drafts.AnyAsync(d => d.InboxId == inbox));
    }

    [Fact]
    public async Task An_oversize_body_or_attachment_is_refused()
    {
        var inbox = await _api.CreateInboxAsync();
        var bigText = await _api.PostRawJsonAsync($"/v0/inboxes/{inbox}/drafts", $$"""{"text":"{{new string('x', 1001)}}"}""");
        var bigFile = await _api.PostRawJsonAsync($"/v0/inboxes/{inbox}/drafts",
            $$"""{"attachments":[{"filename":"big.bin","content":"{{Convert.ToBase64String(new byte[2001])}}"}]}""");
        var tooMany = await _api.PostRawJsonAsync($"/v0/inboxes/{inbox}/drafts",
            $$"""{"attachments":[{"content":"{{Convert.ToBase64String(new byte[1500])}}"},{"content":"{{Convert.ToBase64String(new byte[1600])}}"}]}""");

        Assert.Contains("text", (await bigText.ReadJsonAsync()).ErrorFields());
        Assert.Contains("attachments[0].content", (await bigFile.ReadJsonAsync()).ErrorFields());
        Assert.Contains("attachments", (await tooMany.ReadJsonAsync()).ErrorFields());
        Assert.All(new[] { bigText, bigFile, tooMany }, r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
    }

    [Fact]
    public async Task A_bad_update_changes_nothing()
    {
        var inbox = await _api.CreateInboxAsync();
        var draft = await _api.CreateDraftAsync(inbox, new { to = new[] { "a@example.com" }, subject = "kept" });
        var url = $"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}";

        var response = await _api.PatchAsync(url, new StringContent("""{"subject":"new","to":["broken"]}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("to[0]", (await response.ReadJsonAsync()).ErrorFields());
        var read = await (await _api.GetAsync(url)).ReadJsonAsync();
        Assert.Equal("kept", read["subject"]!.GetValue<string>());
        Assert.Equal(1, read["version"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("page_token=garbage", "page_token")]
    [InlineData("before=yesterday", "before")]
    [InlineData("ascending=maybe", "ascending")]
    [InlineData("labels=%5Bbroken", "labels")]
    public async Task A_bad_list_parameter_is_named(string query, string field)
    {
        var response = await _api.GetAsync($"/v0/drafts?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.ReadJsonAsync()).ErrorFields());
    }
}
