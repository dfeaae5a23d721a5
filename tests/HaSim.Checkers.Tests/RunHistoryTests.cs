using HaSim.Checkers;
using HaSim.Primitives;
using static HaSim.Checkers.Tests.H;

namespace HaSim.Checkers.Tests;

public class RunHistoryTests
{
    [Fact]
    public void RolesCloseAtTheNextChangeAndRepeatsAreNoOps()
    {
        var builder = new RunHistoryBuilder();
        builder.RecordRole(Ms(0), N0, NodeRole.Primary, T(1));
        builder.RecordRole(Ms(5_000), N0, NodeRole.Primary, T(1));
        builder.RecordRole(Ms(10_000), N0, NodeRole.Down, T(1));
        builder.RecordWalEnd(N0, T(1), L(100));

        var history = builder.Build(Ms(20_000));

        Assert.Equal(
            [new RoleInterval(N0, NodeRole.Primary, T(1), Ms(0), Ms(10_000)), new RoleInterval(N0, NodeRole.Down, T(1), Ms(10_000), null)],
            history.Roles);
    }

    [Fact]
    public void AcceptedIntervalsSpanEachNodesCommitsPerTimeline()
    {
        var history = Builder(Ack(3, N0, 1, 300, 3_000), Ack(1, N0, 1, 100, 1_000), Maybe(2, N1, 2, 200, 2_000), CommitRecord.Failed(4, 0, 1, Ms(1), Ms(2)))
            .EndingWith(N1, 2, 200);

        Assert.Equal(
            [new AcceptedInterval(N0, T(1), Ms(1_000), Ms(3_000), 2), new AcceptedInterval(N1, T(2), Ms(2_000), Ms(2_000), 1)],
            history.AcceptedIntervals);
        Assert.Equal([1L, 2L, 3L, 4L], history.Commits.Select(c => c.Id));
    }

    public static TheoryData<string, Action<RunHistoryBuilder>> Malformed => new()
    {
        { "acknowledged without placement", b => b.RecordCommit(new CommitRecord(1, 0, CommitOutcome.Acknowledged, Ms(0), Ms(1), 1, null)) },
        { "failed with placement", b => b.RecordCommit(new CommitRecord(1, 0, CommitOutcome.Failed, Ms(0), Ms(2), 1, At(N0, 1, 1, 1))) },
        { "outcome before submission", b => b.RecordCommit(CommitRecord.Failed(1, 0, 1, Ms(5), Ms(4))) },
        { "accepted after the outcome", b => b.RecordCommit(CommitRecord.Acknowledged(1, 0, At(N0, 1, 1, 9), 1, Ms(0), Ms(5))) },
        { "a promotion to an older timeline", b => b.RecordPromotion(Ms(1), N0, T(3), L(1), T(2)) },
        { "a fault ending before it starts", b => b.RecordFault("crash", Ms(5), Ms(4)) },
        { "a role change back in time", b => { b.RecordRole(Ms(5), N0, NodeRole.Primary, T(1)); b.RecordRole(Ms(4), N0, NodeRole.Down, T(1)); } },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedRecordsAreRejectedWhenRecorded(string why, Action<RunHistoryBuilder> record)
    {
        Assert.True(Assert.ThrowsAny<ArgumentException>(() => record(new RunHistoryBuilder())).Message.Length > 0, why);
    }

    [Fact]
    public void InconsistentHistoriesAreRejectedAtBuild()
    {
        var duplicate = Builder(Ack(1, N0, 1, 1, 10), Ack(1, N0, 1, 2, 20));
        duplicate.RecordWalEnd(N0, T(1), L(2));
        Assert.Contains("recorded twice", Assert.Throws<InvalidOperationException>(() => duplicate.Build(Ms(100))).Message);

        var twice = new RunHistoryBuilder();
        twice.RecordPromotion(Ms(1), N1, T(1), L(1), T(2));
        twice.RecordPromotion(Ms(2), N2, T(1), L(1), T(2));
        twice.RecordWalEnd(N1, T(2), L(1));
        Assert.Contains("created twice", Assert.Throws<InvalidOperationException>(() => twice.Build(Ms(100))).Message);

        Assert.Contains("RecordWalEnd", Assert.Throws<InvalidOperationException>(() => new RunHistoryBuilder().Build(Ms(1))).Message);
    }

    /// <summary>
    /// Records come in the order writes end, not the order they started; the snapshot lists them by
    /// id, whether the ids are 1..n (placed directly) or not (sorted), over several storage chunks,
    /// and a later snapshot sees later records.
    /// </summary>
    [Theory]
    [InlineData(1)]     // ids 1..n
    [InlineData(1000)]  // ids 1000..
    public void CommitsComeOutById(long firstId)
    {
        const int Count = 2_500; // more than two chunks
        var order = Enumerable.Range(0, Count).Select(i => (long)(i * 7919 % Count)).ToArray(); // a permutation
        var builder = new RunHistoryBuilder();
        builder.RecordWalEnd(N0, T(1), L(1));
        foreach (var k in order.Take(Count - 1))
        {
            builder.RecordCommit(AckAt(firstId + k, ackMs: 10));
        }
        var early = builder.Build(Ms(100));
        builder.RecordCommit(AckAt(firstId + order[^1], ackMs: 10));
        var late = builder.Build(Ms(100));

        Assert.Equal(order.Take(Count - 1).Select(k => firstId + k).Order(), early.Commits.Select(c => c.Id));
        Assert.Equal(Enumerable.Range(0, Count).Select(k => firstId + k), late.Commits.Select(c => c.Id));
    }

    /// <summary>
    /// A snapshot of ids 1..n shares the builder's store until the next record: that record, and
    /// a duplicate after it, must not reach the snapshot taken before them.
    /// </summary>
    [Fact]
    public void ASnapshotKeepsItsRecordsWhenTheBuilderGoesOn()
    {
        var builder = Builder([.. Enumerable.Range(1, CommitChunks.ChunkSize + 1).Select(id => AckAt(id, ackMs: 10))]);
        builder.RecordWalEnd(N0, T(1), L(1));
        var early = builder.Build(Ms(100));
        builder.RecordCommit(AckAt(CommitChunks.ChunkSize + 2, ackMs: 30));
        builder.RecordCommit(AckAt(1, ackMs: 40));

        Assert.Equal(Enumerable.Range(1, CommitChunks.ChunkSize + 1).Select(id => (long)id), early.Commits.Select(c => c.Id));
        Assert.All(early.Commits, c => Assert.Equal(Ms(10), c.OutcomeAt));
        Assert.Contains("commit id 1 was recorded twice", Assert.Throws<InvalidOperationException>(() => builder.Build(Ms(100))).Message);
    }

    [Fact]
    public void ADuplicateAmongIdsOneToNIsRejectedToo()
    {
        var builder = Builder(AckAt(2, 10), AckAt(1, 10), AckAt(2, 20));
        builder.RecordWalEnd(N0, T(1), L(1));
        Assert.Contains("commit id 2 was recorded twice", Assert.Throws<InvalidOperationException>(() => builder.Build(Ms(100))).Message);
    }
}
