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
    [InlineData("Text only", null, "Text only")]
    [InlineData(null, "<html><head><style>p{}</style></head><body><p>Hello&nbsp;<b>world</b></p><script>x()</script></body></html>", "Hello world")]
    [InlineData("  spaced \n\n out  ", null, "spaced out")]
    [InlineData(null, null, null)]
    public void Preview_comes_from_text_or_visible_html(string? text, string? html, string? expected) =>
        Assert.Equal(expected, Preview.Of(text, html));

    [Fact]
    public void Preview_is_capped() => Assert.Equal(Preview.Length, Preview.Of(new string('a', 1000), null)!.Length);
}
