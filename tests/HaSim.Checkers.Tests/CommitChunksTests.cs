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
        for (var id = 1; id <= count; id++)
        {
            chunks.Add(CommitRecord.Failed(id, 0, 1, Instant.Start, Instant.Start));
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
