using HaSim.Checkers;
using static HaSim.Checkers.Tests.H;

namespace HaSim.Checkers.Tests;

public class FreshPromotionTests
{
    [Fact]
    public void PromotionMissingAcknowledgedParentCommitsIsReported()
    {
        var builder = Builder(
            Ack(1, N0, 1, 1000, 5_000),                                                      // at the switch LSN: held
            Ack(2, N0, 1, 1100, 6_000, size: 250),                                           // acknowledged before, beyond the switch: missing
            CommitRecord.Acknowledged(3, 0, At(N0, 1, 1200, 9_000), 100, Ms(8_999), Ms(10_000)), // acknowledged at the promotion instant: concurrent
            Ack(4, N0, 1, 1300, 12_000),                                                     // acknowledged after: split brain, not staleness
            Ack(5, N1, 2, 1500, 15_000));
        builder.RecordPromotion(Ms(10_000), N1, T(1), L(1000), T(2));
        builder.RecordPromotion(Ms(30_000), N2, T(2), L(1500), T(3));

        var result = FreshPromotionChecker.Check(builder.EndingWith(N2, 3, 1500));

        Assert.False(result.Holds);
        Assert.Equal(2, result.Promotions);
        var stale = Assert.Single(result.Violations);
        Assert.Equal(T(2), stale.Promotion.NewTimeline);
        Assert.Equal(1, stale.Missing.Count);
        Assert.Equal(250, stale.Missing.Bytes);
        Assert.Equal(2, stale.Missing.Listed[0].Id);
        Assert.Equal(
            "fresh promotion: VIOLATED at 1 of 2 promotions; first term2 from term1 at 0/3E8 on node1 at T+10s: missing 1 commit, 250B, over 0s",
            result.Summary);
    }

    [Fact]
    public void PromotionHoldingEveryAcknowledgedCommitPasses()
    {
        var builder = Builder(Ack(1, N0, 1, 900, 5_000), Maybe(2, N0, 1, 1100, 6_000));
        builder.RecordPromotion(Ms(10_000), N1, T(1), L(1000), T(2));

        var result = FreshPromotionChecker.Check(builder.EndingWith(N1, 2, 1000));

        Assert.True(result.Holds);
        Assert.Equal("fresh promotion: holds over 1 promotion", result.Summary);
    }
}
