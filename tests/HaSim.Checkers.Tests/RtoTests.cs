using HaSim.Checkers;
using HaSim.Primitives;
using static HaSim.Checkers.Tests.H;

namespace HaSim.Checkers.Tests;

public class RtoTests
{
    /// <summary>Acknowledgements every 100 ms from 0 to 10 s (two at each instant, as group commit does), none until 14.5 s, then every 100 ms to 20 s.</summary>
    private static RunHistory AcksWithAGap(long endMs)
    {
        var builder = new RunHistoryBuilder();
        var id = 0L;
        foreach (var ms in Enumerable.Range(0, 101).Select(i => i * 100L).Concat(Enumerable.Range(0, 56).Select(i => 14_500 + i * 100L)))
        {
            builder.RecordCommit(AckAt(id++, ms));
            builder.RecordCommit(AckAt(id++, ms));
        }
        return builder.EndingWith(N0, 1, 1, endMs);
    }

    [Fact]
    public void ClientOutageRunsFromTheLastAcknowledgementToTheNext()
    {
        var result = ClientRtoMeter.Measure(AcksWithAGap(20_000), OutageThreshold.Default);

        Assert.Equal(D(100), result.MedianAckGap);
        Assert.Equal(D(1_000), result.EffectiveThreshold);
        Assert.Equal(314, result.AcknowledgedWrites);
        var outage = Assert.Single(result.Outages);
        Assert.Equal(new ClientOutage(Ms(10_000), Ms(14_500), D(4_500)), outage);
        Assert.Equal(D(4_500), result.Longest);
        Assert.Equal("client RTO: 1 outage over 1s, longest 4.5s; first T+10s..T+14.5s (4.5s)", result.Summary);
    }

    public static TheoryData<long, long, int> ThresholdTable => new()
    {
        { 5_000, 0, 0 },  // fixed 5 s: the 4.5 s gap is no outage
        { 0, 40, 1 },     // 40 x 100 ms = 4 s
        { 0, 45, 0 },     // 45 x 100 ms = 4.5 s: not longer than the threshold
    };

    [Theory]
    [MemberData(nameof(ThresholdTable))]
    public void ThresholdIsTheLargerOfTheMinimumAndTheMedianMultiple(long minimumMs, long factor, int outages)
    {
        var result = ClientRtoMeter.Measure(AcksWithAGap(20_000), new OutageThreshold(D(minimumMs), factor));

        Assert.Equal(outages, result.Outages.Count);
    }

    [Fact]
    public void OutageOpenAtTheEndIsUnrecovered()
    {
        var result = ClientRtoMeter.Measure(AcksWithAGap(27_000), OutageThreshold.Default);

        Assert.Equal(2, result.Outages.Count);
        Assert.Equal(new ClientOutage(Ms(20_000), null, D(7_000)), result.Outages[1]);
        Assert.False(result.Outages[1].Recovered);
        Assert.Equal(D(7_000), result.Longest);
    }

    [Fact]
    public void ControllerRtoRunsFromEachFaultToTheNextPromotion()
    {
        var builder = new RunHistoryBuilder();
        builder.RecordFault("crash node0", Ms(10_000), Ms(60_000));
        builder.RecordFault("partition node1", Ms(70_000), Ms(80_000));
        builder.RecordPromotion(Ms(31_200), N1, T(1), L(1000), T(2));

        var result = ControllerRtoMeter.Measure(builder.EndingWith(N1, 2, 1000));

        Assert.Equal(D(21_200), result.Recoveries[0].TimeToPromotion);
        Assert.Null(result.Recoveries[1].Promotion);
        Assert.Equal(D(21_200), result.Longest);
        Assert.Equal("controller RTO: 1 of 2 faults followed by a promotion, longest 21.2s", result.Summary);
    }

    [Fact]
    public void NoWritablePrimaryIsTheTimeNoNodeRanAsPrimary()
    {
        var builder = new RunHistoryBuilder();
        builder.RecordRole(Ms(0), N0, NodeRole.Primary, T(1));
        builder.RecordRole(Ms(0), N1, NodeRole.Replica, T(1));
        builder.RecordRole(Ms(10_000), N0, NodeRole.Down, T(1));
        builder.RecordRole(Ms(32_000), N1, NodeRole.Primary, T(2));
        builder.RecordRole(Ms(40_000), N0, NodeRole.Primary, T(1));  // a second primary: not "none"
        builder.RecordRole(Ms(45_000), N0, NodeRole.Down, T(1));
        builder.RecordRole(Ms(50_000), N1, NodeRole.Down, T(2));
        builder.RecordWalEnd(N1, T(2), L(1000));

        var result = NoWritablePrimaryMeter.Measure(builder.Build(Ms(53_000)));

        Assert.Equal([new TimeWindow(Ms(10_000), Ms(32_000)), new TimeWindow(Ms(50_000), Ms(53_000))], result.Windows);
        Assert.Equal(D(25_000), result.Total);
        Assert.Equal("no writable primary: 25s in 2 windows over 53s, longest 22s", result.Summary);
    }
}
