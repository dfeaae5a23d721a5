using HaSim.Experiments.Loading;

namespace HaSim.Experiments.Tests.Loading;

public sealed class SpellingTests
{
    private static readonly string[] Keys = ["synchronous_commit", "synchronous_standby_names", "group_commit"];

    [Theory]
    [InlineData("synchronous_comit", "synchronous_commit")]
    [InlineData("group_comit", "group_commit")]
    [InlineData("groupcommit", "group_commit")]
    [InlineData("grop_comit", "group_commit")]
    public void Suggests_the_closest_word_within_two_edits(string word, string expected)
    {
        Assert.Equal(expected, Spelling.Closest(word, Keys));
    }

    [Theory]
    [InlineData("gruop_comit")]
    [InlineData("commit")]
    public void Suggests_nothing_for_words_further_away(string word)
    {
        Assert.Null(Spelling.Closest(word, Keys));
        Assert.Equal("", Spelling.Hint(word, Keys));
    }

    [Fact]
    public void A_tie_goes_to_the_first_allowed_word()
    {
        Assert.Equal("s1", Spelling.Closest("s3", ["p", "s1", "s2"]));
    }
}
