using AgentMail.Review.Core.Drafts;

namespace AgentMail.Review.Core.Tests.Drafts;

public sealed class DraftValidatorTests
{
    [Theory]
    [InlineData("bob@example.com")]
    [InlineData("Bob Smith <bob@example.com>")]
    [InlineData("\"Smith, Bob\" <bob.smith+tag@mail.example.co.uk>")]
    [InlineData("ops@localhost")]
    public void Valid_mailboxes_pass(string address) => Assert.Null(DraftValidator.AddressProblem(address));

    [Theory]
    [InlineData("")]
    [InlineData("bob")]
    [InlineData("bob@")]
    [InlineData("@example.com")]
    [InlineData("bob@example")]
    [InlineData("a@example.com, b@example.com")]
    [InlineData("bob@example.com\r\nBcc: victim@example.com")]
    [InlineData("bob@example.com\n")]
    public void Invalid_mailboxes_are_named(string address) => Assert.NotNull(DraftValidator.AddressProblem(address));

    [Theory]
    [InlineData("bob@exa\u0085mple.com")]
    [InlineData("bob\u2028@example.com")]
    [InlineData("Bob\u2029 <bob@example.com>")]
    [InlineData("Bob\u009b <bob@example.com>")]
    [InlineData("bob@example.com\u0000")]
    [InlineData("bob\u007f@example.com")]
    [InlineData("bob\t@example.com")]
    public void Control_characters_and_line_separators_are_refused_anywhere_in_an_address(string address) =>
        Assert.Contains("control characters", DraftValidator.AddressProblem(address));

    [Theory]
    [InlineData("bob @example.com")]
    [InlineData("bob@ example.com")]
    [InlineData("Bob <bob @example.com>")]
    [InlineData("Bob <bob@\u3000example.com>")]
    [InlineData("\"bob smith\"@example.com")]
    public void Whitespace_inside_the_address_itself_is_refused(string address) =>
        Assert.Contains("whitespace inside the address", DraftValidator.AddressProblem(address));

    [Theory]
    [InlineData("Bob  Smith <bob@example.com>")]
    [InlineData(" bob@example.com ")]
    [InlineData("bob@bücher.example")]
    public void A_display_name_may_have_spaces_and_a_domain_may_be_international(string address) =>
        Assert.Null(DraftValidator.AddressProblem(address));

    public static TheoryData<string, string?> Rfc5321Limits => new()
    {
        { $"{new string('a', 64)}@example.com", null },
        { $"{new string('a', 65)}@example.com", "before the @ is 65 octets" },
        { $"{new string('é', 33)}@example.com", "before the @ is 66 octets" },
        { $"bob@{new string('a', 63)}.example", null },
        { $"bob@{new string('a', 64)}.example", "is 64 octets; RFC 5321 allows at most 63 per label" },
        { $"bob@{new string('ü', 60)}.example", "over 63 octets in its xn-- form" },
        { $"bob@{string.Join('.', Enumerable.Repeat(new string('a', 63), 4))}", null },
        { $"bob@{string.Join('.', Enumerable.Repeat(new string('a', 63), 4))}.b", "the domain is 257 octets" },
    };

    [Theory]
    [MemberData(nameof(Rfc5321Limits))]
    public void Rfc_5321_length_limits_are_kept(string address, string? problem) =>
        AssertProblem(problem, DraftValidator.AddressProblem(address));

    [Theory]
    [InlineData("sales", null)]
    [InlineData("first.last", null)]
    [InlineData("two words", "whitespace")]
    [InlineData("sales\u2028", "control characters")]
    [InlineData("a<b", "before the @")]
    [InlineData("a@b", "before the @")]
    [InlineData("", "empty")]
    public void An_inbox_username_is_checked_on_its_own(string username, string? problem) =>
        AssertProblem(problem, DraftValidator.LocalPartProblem(username));

    [Theory]
    [InlineData("example.com", null)]
    [InlineData("localhost", null)]
    [InlineData("bücher.example", null)]
    [InlineData("not a domain", "whitespace")]
    [InlineData("exa\u0085mple.com", "control characters")]
    [InlineData("a..b.example", "not a valid domain name")]
    [InlineData("exa(mple).com", "not a valid domain name")]
    [InlineData("example", "not a valid domain name")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example", "per label")]
    public void An_inbox_domain_is_checked_on_its_own(string domain, string? problem) =>
        AssertProblem(problem, DraftValidator.DomainProblem(domain));

    private static void AssertProblem(string? expected, string? found)
    {
        if (expected is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(expected, found);
        }
    }

    [Theory]
    [InlineData("Text only", null, "Text only")]
    [InlineData(null, "<html><head><style>p{}</style></head><body><p>Hello&nbsp;<b>world</b></p><script>x()</script></body></html>", "Hello world")]
    [InlineData("  spaced \n\n out  ", null, "spaced out")]
    [InlineData(null, null, null)]
    public void Preview_comes_from_text_or_visible_html(string? text, string? html, string? expected) =>
        Assert.Equal(expected, Preview.Of(text, html));

    [Fact]
    public void Preview_is_capped() => Assert.Equal(Preview.Length, Preview.Of(new string('a', 1000), null)!.Length);
}
