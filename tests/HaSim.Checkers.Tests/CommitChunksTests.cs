using HaSim.Checkers;
using HaSim.Primitives;

namespace HaSim.Checkers.Tests;

public class CommitChunksTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(CommitChunks.ChunkSize)]
    [InlineData(2 * CommitChunks.ChunkSize + 7)]
    public void ForeachByReferenceVisitsEveryRecordInOrderAcrossChunks(int count)
    {
        var chunks = new CommitChunks();
        chunks.GrowTo(count);
        for (var id = 1; id <= count; id++)
        {
            chunks.Slot(id - 1) = CommitRecord.Failed(id, 0, 1, Instant.Start, Instant.Start);
        }
        var seen = new List<long>();
        foreach (ref readonly var commit in chunks)
        {
            seen.Add(commit.Id);
        }
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), seen);
        Assert.Equal(seen, chunks.Select(c => c.Id)); // the interface's enumerator agrees
    }
}

public class ReleasedCommitStorageTests
{
    /// <summary>
    /// A released history is empty, and the next history built on the thread (which reuses its
    /// chunks) holds exactly its own records: none of the first run's, in whole chunks or in part.
    /// </summary>
    [Fact]
    public void TheNextHistoryOnTheThreadSeesOnlyItsOwnRecords()
    {
        var first = H.Builder([.. Enumerable.Range(1, 3 * CommitChunks.ChunkSize + 5).Select(id => H.AckAt(id, id))]);
        var firstHistory = first.EndingWith(H.N0, 1, 1);
        first.ReleaseCommits();
        firstHistory.ReleaseCommits();
        Assert.Empty(firstHistory.Commits);

        // Fewer records, in reverse id order: placed by id into reused chunks.
        AssertHoldsExactly([.. Enumerable.Range(1, CommitChunks.ChunkSize + 3).Reverse()]);
        // And with an id missing, which takes the sorting path.
        AssertHoldsExactly([.. Enumerable.Range(1, 2 * CommitChunks.ChunkSize).Where(id => id != 7)]);
    }

    private static void AssertHoldsExactly(int[] ids)
    {
        var builder = H.Builder([.. ids.Select(id => H.AckAt(id, 2 * id))]);
        var history = builder.EndingWith(H.N0, 1, 1);
        Assert.Equal(ids.Order().Select(id => (long)id), history.Commits.Select(c => c.Id));
        Assert.All(history.Commits, c => Assert.Equal(H.Ms(2 * c.Id), c.OutcomeAt));
        builder.ReleaseCommits();
        history.ReleaseCommits();
    }
}
