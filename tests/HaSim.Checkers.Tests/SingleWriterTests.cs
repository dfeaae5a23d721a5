using HaSim.Checkers;
using HaSim.Primitives;
using static HaSim.Checkers.Tests.H;

namespace HaSim.Checkers.Tests;

public class SingleWriterTests
{
    /// <summary>
    /// node0 leads term1 and keeps accepting after node1 promoted term2 from term1 at LSN 1000
    /// (at 10.5 s): node0 accepts at 10 s, 11 s, 12 s; node1 at 11.5 s and 13 s.
    /// </summary>
    private static RunHistory PausedOldPrimary()
    {
        var builder = Builder(
            Ack(1, N0, 1, 900, 10_000),
            Ack(2, N0, 1, 1100, 11_000),
            Ack(3, N1, 2, 1100, 11_500),
            Maybe(4, N0, 1, 1200, 12_000),
            Ack(5, N1, 2, 1200, 13_000));
        builder.RecordPromotion(Ms(10_500), N1, T(1), L(1000), T(2));
        return builder.EndingWith(N1, 2, 1200);
    }

    [Fact]
    public void SplitBrainWindowHasExactBoundariesWritersAndTheLosingSide()
    {
        var result = SingleWriterChecker.Check(PausedOldPrimary());

        var window = Assert.Single(result.Windows);
        Assert.Equal(Ms(11_500), window.From);
        Assert.Equal(Ms(12_000), window.To);
        Assert.Equal(D(500), window.Length);
        Assert.Equal([(N0, T(1)), (N1, T(2))], window.Writers.Select(w => (w.Node, w.Timeline)));
        Assert.True(window.Diverging);
        Assert.False(window.SameTimeline);
        Assert.Equal([4L], window.LosingCommits.Listed.Select(c => c.Id)); // #2 is lost too, but before the window
        Assert.Equal(
            "single writer: VIOLATED, 1 split-brain window (500ms in all), 1 commit on the losing side; first T+11.5s..T+12s (500ms): node0 on term1 and node1 on term2; losing side: 1 commit, 100B, over 0s",
            result.Summary);
    }

    public static TheoryData<string, long, long, bool> BoundaryTable => new()
    {
        { "the new primary's first commit at the old one's last instant overlaps", 12_000, 12_000, true },
        { "one millisecond later does not", 12_000, 12_001, false },
        { "earlier overlaps by the difference", 12_000, 11_000, true },
    };

    [Theory]
    [MemberData(nameof(BoundaryTable))]
    public void ClosedSpansMeetAtAnInstant(string why, long oldLastMs, long newFirstMs, bool splitBrain)
    {
        var builder = Builder(Ack(1, N0, 1, 900, 1_000), Ack(2, N0, 1, 1100, oldLastMs), Ack(3, N1, 2, 1100, newFirstMs), Ack(4, N1, 2, 1200, 20_000));
        builder.RecordPromotion(Ms(10_000), N1, T(1), L(1000), T(2));

        var result = SingleWriterChecker.Check(builder.EndingWith(N1, 2, 1200));

        Assert.True(splitBrain == !result.Holds, why);
        if (splitBrain)
        {
            Assert.Equal((Ms(newFirstMs), Ms(oldLastMs)), (result.Windows[0].From, result.Windows[0].To));
        }
    }

    [Fact]
    public void TwoNodesOnOneTimelineAreReportedAsImpossible()
    {
        var builder = Builder(Ack(1, N0, 1, 100, 1_000), Ack(2, N1, 1, 200, 2_000), Ack(3, N0, 1, 300, 3_000));

        var window = Assert.Single(SingleWriterChecker.Check(builder.EndingWith(N0, 1, 300)).Windows);

        Assert.True(window.SameTimeline);
        Assert.False(window.Diverging);
        Assert.Equal((Ms(2_000), Ms(2_000)), (window.From, window.To)); // node1 accepted only at 2 s
    }

    [Fact]
    public void FailoverWithoutOverlapHolds()
    {
        var builder = Builder(Ack(1, N0, 1, 900, 1_000), Ack(2, N1, 2, 1100, 15_000));
        builder.RecordPromotion(Ms(10_000), N1, T(1), L(1000), T(2));

        var result = SingleWriterChecker.Check(builder.EndingWith(N1, 2, 1100));

        Assert.True(result.Holds);
        Assert.Equal("single writer: holds, never two nodes accepting commits at once", result.Summary);
    }
}
