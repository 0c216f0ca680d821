using AgentMail.Review.Web.Console;

namespace AgentMail.Review.Web.Tests.Console;

public sealed class BodyPartsTests
{
    [Fact]
    public void A_tables_cells_are_words_of_their_own_and_the_same_words_in_both_parts_agree()
    {
        Assert.Null(BodyParts.Compare("Item Seats Price\nCloud 140 seats", "<table><tr><th>Item</th><th>Seats</th><th>Price</th></tr><tr><td>Cloud</td><td>140 seats</td></tr></table>"));
    }

    [Fact]
    public void A_price_that_differs_is_a_disagreement_naming_the_words()
    {
        var disagreement = BodyParts.Compare("Total: 100 euros.", "<p>Total: <b>80</b> euros.</p><script>var x = 100;</script>");

        Assert.NotNull(disagreement);
        Assert.Equal(["100"], disagreement.OnlyInText);
        Assert.Equal(["80"], disagreement.OnlyInHtml);
    }

    [Fact]
    public void A_draft_with_one_part_has_nothing_to_disagree_with()
    {
        Assert.Null(BodyParts.Compare("only text", null));
        Assert.Null(BodyParts.Compare(null, "<p>only html</p>"));
    }
}
