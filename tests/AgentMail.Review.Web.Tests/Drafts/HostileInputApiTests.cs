using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AgentMail.Review.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AgentMail.Review.Web.Tests.Drafts;

/// <summary>
/// Text that is not text, addresses that would break or stretch a header, and fields of the wrong type: each is a 400
/// ValidationError naming the field, and the store is left as it was.
/// </summary>
public sealed class HostileInputApiTests(ReviewApiFactory factory) : IClassFixture<ReviewApiFactory>
{
    private readonly HttpClient _api = factory.CreateAgentClient();

    /// <summary>Bodies as JSON text; <c>\uXXXX</c> here is a JSON escape the server decodes.</summary>
    public static TheoryData<string, string> HostileCreates => new()
    {
        // Escapes of lone UTF-16 surrogates.
        { """{"subject":"\ud800"}""", "subject" },
        { """{"text":"ends on a high surrogate \ud83d"}""", "text" },
        { """{"to":["\udc00bob@example.com"]}""", "to[0]" },
        { """{"labels":["fine","\ud800\ud800"]}""", "labels[1]" },
        { """{"attachments":[{"filename":"a\udfff.txt","content":"aGk="}]}""", "attachments[0].filename" },
        { """{"\ud800":"x"}""", "body" },
        { """{"attachments":[{"\udc00":"x","content":"aGk="}]}""", "attachments[0]" },

        // Control characters and line separators in addresses.
        { """{"to":["bob@exa\u0085mple.com"]}""", "to[0]" },
        { """{"cc":["bob\u2028@example.com"]}""", "cc[0]" },
        { """{"bcc":["Bob\u2029 <bob@example.com>"]}""", "bcc[0]" },
        { """{"reply_to":["bob\u009b@example.com"]}""", "reply_to[0]" },
        { """{"to":["bob\t@example.com"]}""", "to[0]" },

        // RFC 5321 limits and whitespace inside the address.
        { $$"""{"to":["{{new string('a', 65)}}@example.com"]}""", "to[0]" },
        { $$"""{"cc":["bob@{{new string('a', 64)}}.example"]}""", "cc[0]" },
        { $$"""{"bcc":["bob@{{string.Join('.', Enumerable.Repeat(new string('a', 63), 4))}}.b"]}""", "bcc[0]" },
        { """{"to":["bob @example.com"]}""", "to[0]" },
        { """{"to":["Bob <bob@ example.com>"]}""", "to[0]" },
        { """{"reply_to":["\"bob smith\"@example.com"]}""", "reply_to[0]" },

        // Attachment fields of the wrong type.
        { """{"attachments":[{"filename":5,"content":"aGk="}]}""", "attachments[0].filename" },
        { """{"attachments":[{"content_type":true,"content":"aGk="}]}""", "attachments[0].content_type" },
        { """{"attachments":[{"content_disposition":["inline"],"content":"aGk="}]}""", "attachments[0].content_disposition" },
        { """{"attachments":[{"content_id":{},"content":"aGk="}]}""", "attachments[0].content_id" },
        { """{"attachments":[{"content":123}]}""", "attachments[0].content" },
    };

    [Theory]
    [MemberData(nameof(HostileCreates))]
    public async Task A_hostile_create_names_the_field_and_writes_nothing(string json, string field)
    {
        var inbox = await _api.CreateInboxAsync();

        var response = await _api.PostRawJsonAsync($"/v0/inboxes/{inbox}/drafts", json);

        await AssertRefusedAsync(response, field);
        await using var db = factory.OpenDb();
        Assert.False(await db.Drafts.AnyAsync(d => d.InboxId == inbox));
    }

    /// <summary>Bodies as bytes: <c>%%</c> in the template is replaced by bytes that are not UTF-8.</summary>
    public static TheoryData<string, byte[], string> InvalidUtf8Creates => new()
    {
        { """{"subject":"%%"}""", [0xFF], "subject" },
        { """{"text":"cut short %%"}""", [0xC3], "text" },
        { """{"to":["bob@ex%%.com"]}""", [0xED, 0xA0, 0x80], "to[0]" },
        { """{"attachments":[{"filename":"%%","content":"aGk="}]}""", [0xC0, 0xAF], "attachments[0].filename" },
        { """{"sub%%ject":"x"}""", [0xFE], "body" },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8Creates))]
    public async Task A_create_with_bytes_that_are_not_utf8_names_the_field_and_writes_nothing(string template, byte[] bad, string field)
    {
        var inbox = await _api.CreateInboxAsync();

        var response = await _api.PostAsync($"/v0/inboxes/{inbox}/drafts", Bytes(template, bad));

        await AssertRefusedAsync(response, field);
        await using var db = factory.OpenDb();
        Assert.False(await db.Drafts.AnyAsync(d => d.InboxId == inbox));
    }

    [Fact]
    public async Task A_hostile_update_changes_nothing()
    {
        var inbox = await _api.CreateInboxAsync();
        var draft = await _api.CreateDraftAsync(inbox, new { to = new[] { "a@example.com" }, subject = "kept" });
        var url = $"/v0/inboxes/{inbox}/drafts/{draft["draft_id"]}";

        var surrogate = await _api.PatchAsync(url, new StringContent("""{"subject":"\udead"}""", Encoding.UTF8, "application/json"));
        var bytes = await _api.PatchAsync(url, Bytes("""{"subject":"new","text":"%%"}""", [0x80]));
        var separator = await _api.PatchAsync(url, new StringContent("""{"to":["a@example.com\u2028"]}""", Encoding.UTF8, "application/json"));
        var attachment = await _api.PatchAsync(url, new StringContent("""{"add_attachments":[{"filename":false,"content":"aGk="}]}""", Encoding.UTF8, "application/json"));

        await AssertRefusedAsync(surrogate, "subject");
        await AssertRefusedAsync(bytes, "text");
        await AssertRefusedAsync(separator, "to[0]");
        await AssertRefusedAsync(attachment, "add_attachments[0].filename");
        var read = await (await _api.GetAsync(url)).ReadJsonAsync();
        Assert.Equal("kept", read["subject"]!.GetValue<string>());
        Assert.Equal(["a@example.com"], read["to"].Strings());
        Assert.Equal(1, read["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task Real_characters_outside_the_basic_plane_and_addresses_at_the_limits_are_kept()
    {
        var inbox = await _api.CreateInboxAsync();
        var longest = $"{new string('a', 64)}@{string.Join('.', Enumerable.Repeat(new string('b', 63), 4))}";

        var response = await _api.PostRawJsonAsync($"/v0/inboxes/{inbox}/drafts",
            $$"""{"subject":"\ud83d\ude00 caf\u00e9","to":["Bob Smith <bob@bücher.example>","{{longest}}"],"attachments":[{"filename":"r\u00e9sum\u00e9.txt","content":"aGk="}]}""");
        var draft = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\U0001F600 café", draft["subject"]!.GetValue<string>());
        Assert.Equal(["Bob Smith <bob@bücher.example>", longest], draft["to"].Strings());
    }

    [Theory]
    [InlineData("""{"username":"ok","domain":"not a domain"}""", "domain")]
    [InlineData("""{"username":"ok","domain":"exa\u0085mple.com"}""", "domain")]
    [InlineData("""{"username":"ok","domain":"example.com\u2029"}""", "domain")]
    [InlineData("""{"username":"ok","domain":"a..b.example"}""", "domain")]
    [InlineData("""{"username":"ok","domain":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example"}""", "domain")]
    [InlineData("""{"domain":"exa mple.com"}""", "domain")]
    [InlineData("""{"username":"two words","domain":"example.com"}""", "username")]
    [InlineData("""{"username":"sales\u2028","domain":"example.com"}""", "username")]
    [InlineData("""{"username":"a\u0000b","domain":"example.com"}""", "username")]
    [InlineData("""{"username":"a<b","domain":"example.com"}""", "username")]
    [InlineData("""{"username":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","domain":"example.com"}""", "username")]
    [InlineData("""{"username":"\ud800","domain":"example.com"}""", "username")]
    public async Task A_bad_inbox_names_the_part_that_is_wrong_and_is_not_created(string json, string field)
    {
        await using var before = factory.OpenDb();
        var count = await before.Inboxes.CountAsync();

        var response = await _api.PostRawJsonAsync("/v0/inboxes", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.ReadJsonAsync();
        Assert.Equal("ValidationError", error["name"]!.GetValue<string>());
        Assert.Equal(field, error.ErrorFields());
        await using var after = factory.OpenDb();
        Assert.Equal(count, await after.Inboxes.CountAsync());
    }

    private static ByteArrayContent Bytes(string template, byte[] bad)
    {
        var at = template.IndexOf("%%", StringComparison.Ordinal);
        var body = Encoding.UTF8.GetBytes(template[..at]).Concat(bad).Concat(Encoding.UTF8.GetBytes(template[(at + 2)..])).ToArray();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        var error = await response.ReadJsonAsync();
        Assert.Equal("ValidationError", error["name"]!.GetValue<string>());
        Assert.Contains(field, error.ErrorFields().Split(','));
        Assert.False(string.IsNullOrEmpty(error["message"]?.GetValue<string>()));
    }
}
