using HaSim.Checkers;
using HaSim.Primitives;
using static HaSim.Checkers.Tests.H;

namespace HaSim.Checkers.Tests;

public class LivenessTests
{
    /// <summary>Role changes as (ms, node, role) rows on top of: node0 primary from 0, node1 replica; a crash of node0 from 10 s to 40 s.</summary>
    private static LivenessResult Run(long endMs, long? healMs, params (long Ms, NodeId Node, NodeRole Role)[] changes)
    {
        var builder = new RunHistoryBuilder();
        builder.RecordRole(Ms(0), N0, NodeRole.Primary, T(1));
        builder.RecordRole(Ms(0), N1, NodeRole.Replica, T(1));
        builder.RecordFault("crash node0", Ms(10_000), healMs is { } h ? Ms(h) : null);
        foreach (var (ms, node, role) in changes)
        {
            builder.RecordRole(Ms(ms), node, role, T(2));
        }
        builder.RecordWalEnd(N1, T(2), L(1000));
        return LivenessChecker.Check(builder.Build(Ms(endMs)), D(30_000));
    }

    [Fact]
    public void PrimaryReachedBeforeTheHealCountsFromTheHeal()
    {
        var result = Run(100_000, 40_000, (10_000, N0, NodeRole.Down), (32_000, N1, NodeRole.Primary), (45_000, N0, NodeRole.Replica));

        Assert.Equal(LivenessVerdict.Holds, result.Verdict);
        Assert.Equal((Ms(40_000), N1), (result.UniqueFrom!.Value, result.Primary!.Value));
        Assert.Equal("liveness: holds (bound 30s): node1 the only writable primary from T+40s, 0s after the heal, to the end", result.Summary);
    }

    public static TheoryData<string, long, long?, (long, NodeId, NodeRole)[], LivenessVerdict> Table => new()
    {
        { "primary 30 s after the heal: exactly the bound", 100_000, 40_000, [(10_000, N0, NodeRole.Down), (70_000, N1, NodeRole.Primary)], LivenessVerdict.Holds },
        { "primary 35 s after the heal: too late", 100_000, 40_000, [(10_000, N0, NodeRole.Down), (75_000, N1, NodeRole.Primary)], LivenessVerdict.Violated },
        { "a second primary after the heal", 100_000, 40_000, [(32_000, N1, NodeRole.Primary), (50_000, N0, NodeRole.Primary)], LivenessVerdict.Violated },
        { "two primaries from before the heal to the end", 100_000, 40_000, [(32_000, N1, NodeRole.Primary)], LivenessVerdict.Violated },
        { "no primary ever again", 100_000, 40_000, [(10_000, N0, NodeRole.Down)], LivenessVerdict.Violated },
        { "the primary changes hands after the bound", 100_000, 40_000, [(10_000, N0, NodeRole.Down), (32_000, N1, NodeRole.Primary), (80_000, N1, NodeRole.Down), (80_000, N0, NodeRole.Primary)], LivenessVerdict.Violated },
        { "the primary changes hands within the bound, then stays", 100_000, 40_000, [(10_000, N0, NodeRole.Down), (32_000, N1, NodeRole.Primary), (60_000, N1, NodeRole.Down), (60_000, N0, NodeRole.Primary)], LivenessVerdict.Holds },
        { "the leader demotes just after the heal (a DCS call from the fault fails late) and is back within the bound", 100_000, 40_000, [(40_400, N0, NodeRole.Down), (52_000, N0, NodeRole.Primary)], LivenessVerdict.Holds },
        { "a primary within the bound, gone after it", 100_000, 40_000, [(10_000, N0, NodeRole.Down), (50_000, N1, NodeRole.Primary), (90_000, N1, NodeRole.Down)], LivenessVerdict.Violated },
        { "the fault never heals", 100_000, null, [(10_000, N0, NodeRole.Down)], LivenessVerdict.NotJudged },
        { "the run ends within the bound with no primary yet", 60_000, 40_000, [(10_000, N0, NodeRole.Down)], LivenessVerdict.NotJudged },
        { "the run ends before the heal", 30_000, 40_000, [(10_000, N0, NodeRole.Down)], LivenessVerdict.NotJudged },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Verdicts(string why, long endMs, long? healMs, (long, NodeId, NodeRole)[] changes, LivenessVerdict expected)
    {
        var result = Run(endMs, healMs, changes);

        Assert.True(expected == result.Verdict, $"{why}: {result.Summary}");
    }
}
