using HaSim.Checkers;
using HaSim.Primitives;
using static HaSim.Checkers.Tests.H;

namespace HaSim.Checkers.Tests;

public class DurabilityTests
{
    /// <summary>
    /// Two failovers and a sibling: term2 from term1 at 1000, term3 from term2 at 2000 (the survivor,
    /// WAL to 3000), term4 from term2 at 1500 (a branch that lost).
    /// </summary>
    private static RunHistoryBuilder TwoFailoversAndASibling(params CommitRecord[] commits)
    {
        var builder = Builder(commits);
        builder.RecordPromotion(Ms(10_000), N1, T(1), L(1000), T(2));
        builder.RecordPromotion(Ms(20_000), N2, T(2), L(2000), T(3));
        builder.RecordPromotion(Ms(25_000), N0, T(2), L(1500), T(4));
        return builder;
    }

    public static TheoryData<string, long, ulong, bool> SurvivalTable => new()
    {
        { "root timeline before the first switch", 1, 999, true },
        { "root timeline exactly at the first switch LSN", 1, 1000, true },
        { "root timeline after the first switch", 1, 1001, false },
        { "middle timeline exactly at the second switch LSN", 2, 2000, true },
        { "middle timeline after the second switch", 2, 2001, false },
        { "final timeline up to its WAL end", 3, 3000, true },
        { "final timeline beyond its WAL end", 3, 3001, false },
        { "sibling timeline, even below its own switch point", 4, 1400, false },
        { "a timeline nobody descends from", 9, 10, false },
    };

    [Theory]
    [MemberData(nameof(SurvivalTable))]
    public void AcknowledgedCommitSurvivesOnlyOnTheFinalLineageUpToItsSwitchPoint(string why, long timeline, ulong lsn, bool survives)
    {
        var history = TwoFailoversAndASibling(Ack(1, N0, timeline, lsn, 5_000)).EndingWith(N2, 3, 3000);

        var result = DurabilityChecker.Check(history);

        Assert.True(survives == history.Survives(history.Commits[0]), why);
        Assert.Equal(survives ? 0 : 1, result.Lost.Count);
        Assert.Equal(survives, result.Holds);
    }

    [Fact]
    public void LineageIsTracedThroughTheHistoryChain()
    {
        var history = TwoFailoversAndASibling().EndingWith(N2, 3, 3000);

        Assert.Equal([new LineageStep(T(3), L(3000)), new LineageStep(T(2), L(2000)), new LineageStep(T(1), L(1000))], history.Survivor.Lineage);
        Assert.Equal("node2 (primary): term3 to 0/BB8 <- term2 to 0/7D0 <- term1 to 0/3E8", history.Survivor.ToString());
    }

    [Fact]
    public void LostCommitsAreCountedWithBytesSpanAndAnOrderedBoundedList()
    {
        var builder = Builder(
            Ack(1, N0, 1, 900, 1_000),
            Ack(4, N0, 1, 1300, 4_000, size: 300),
            Ack(2, N0, 1, 1100, 2_000, size: 100),
            Ack(3, N0, 1, 1200, 3_000, size: 200),
            Ack(5, N1, 2, 1400, 11_000));
        builder.RecordPromotion(Ms(10_000), N1, T(1), L(1000), T(2));
        var history = builder.EndingWith(N1, 2, 2000);

        var result = DurabilityChecker.Check(history, maxListed: 2);

        Assert.False(result.Holds);
        Assert.Equal(5, result.Acknowledged);
        Assert.Equal(3, result.Lost.Count);
        Assert.Equal(600, result.Lost.Bytes);
        Assert.Equal(Ms(2_001), result.Lost.FirstOutcomeAt);
        Assert.Equal(Ms(4_001), result.Lost.LastOutcomeAt);
        Assert.Equal(D(2_000), result.Lost.Span);
        Assert.Equal([2L, 3L], result.Lost.Listed.Select(c => c.Id));
        Assert.True(result.Lost.IsTruncated);
        Assert.Equal(
            "durability: VIOLATED, lost 3 of 5 acknowledged commits (600B, acknowledged T+2.001s..T+4.001s, 2s); maybe lost (outcome unknown): 0; surviving history node1 (primary): term2 to 0/7D0 <- term1 to 0/3E8",
            result.Summary);
    }

    [Fact]
    public void UnknownOutcomesAreMaybeLostNeverLostAndFailedOnesAreIgnored()
    {
        var builder = Builder(
            Maybe(1, N0, 1, 1100, 2_000),                                                    // beyond the switch: maybe lost
            CommitRecord.Unknown(2, 0, null, 100, Ms(3_000), Ms(3_500)),                     // never reached a database: maybe lost
            Maybe(3, N0, 1, 900, 1_000),                                                     // survived: neither
            CommitRecord.Failed(4, 0, 100, Ms(4_000), Ms(4_001)));
        builder.RecordPromotion(Ms(10_000), N1, T(1), L(1000), T(2));
        var history = builder.EndingWith(N1, 2, 2000);

        var result = DurabilityChecker.Check(history);

        Assert.True(result.Holds);
        Assert.Equal(0, result.Lost.Count);
        Assert.Equal([1L, 2L], result.MaybeLost.Listed.Select(c => c.Id));
        Assert.Equal(0, result.Acknowledged);
    }

    [Fact]
    public void WithoutAFinalPrimaryTheMostAdvancedNodeSurvives()
    {
        var builder = Builder(Ack(1, N0, 1, 1500, 1_000));
        builder.RecordPromotion(Ms(10_000), N1, T(1), L(1000), T(2));
        builder.RecordRole(Ms(0), N0, NodeRole.Down, T(1));
        builder.RecordRole(Ms(0), N1, NodeRole.Down, T(2));
        builder.RecordRole(Ms(0), N2, NodeRole.Replica, T(1));
        builder.RecordWalEnd(N0, T(1), L(5000));
        builder.RecordWalEnd(N1, T(2), L(1200));
        builder.RecordWalEnd(N2, T(2), L(1200));

        var history = builder.Build(Ms(20_000));

        Assert.Equal(N1, history.Survivor.Node); // highest timeline, then WAL end, then lowest id
        Assert.False(history.Survivor.IsPrimary);
        Assert.Equal(1, DurabilityChecker.Check(history).Lost.Count);
    }
}
