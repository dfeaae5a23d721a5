using HaSim.Checkers;
using static HaSim.Checkers.Tests.H;

namespace HaSim.Checkers.Tests;

public class CommitSetTests
{
    /// <summary>Totals over every commit, and the listed ones exactly the first by (outcome time, id), whatever order they come in.</summary>
    [Theory]
    [InlineData(0, 10)]
    [InlineData(5, 10)]
    [InlineData(5_000, 0)]
    [InlineData(5_000, 1)]
    [InlineData(5_000, 1000)]
    public void ListsTheFirstCommitsByOutcomeTimeThenIdAndCountsThemAll(int count, int maxListed)
    {
        // Scrambled but fixed: outcome times with many ties, sizes, and the order they are added in.
        var commits = Enumerable.Range(1, count)
            .Select(id => AckAt(id, ackMs: id * 37L % 500) with { SizeBytes = 1 + id * 13L % 1000 })
            .OrderBy(c => c.Id * 7919 % 5003)
            .ToArray();

        var set = CommitSet.Of(commits, maxListed);

        var sorted = commits.OrderBy(c => c.OutcomeAt).ThenBy(c => c.Id).ToArray();
        Assert.Equal(count, set.Count);
        Assert.Equal(commits.Sum(c => c.SizeBytes), set.Bytes);
        Assert.Equal(sorted.FirstOrDefault().OutcomeAt, set.FirstOutcomeAt ?? default);
        Assert.Equal(sorted.LastOrDefault().OutcomeAt, set.LastOutcomeAt ?? default);
        Assert.Equal(sorted.Take(maxListed), set.Listed);
        Assert.Equal(count > maxListed, set.IsTruncated);
    }
}
