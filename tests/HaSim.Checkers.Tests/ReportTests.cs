using HaSim.Checkers;
using HaSim.Primitives;
using static HaSim.Checkers.Tests.H;

namespace HaSim.Checkers.Tests;

public class ReportTests
{
    private static readonly CheckOptions Options = new(D(30_000), OutageThreshold.Default, MaxListedCommits: 10);

    /// <summary>
    /// node0's VM pauses from 10 s to 45 s without a watchdog: node1 promotes at 32 s; node0 resumes
    /// and accepts two more writes on term1 before it learns it lost the key and is demoted.
    /// Records arrive in <paramref name="reversed"/> order to check that order does not matter.
    /// </summary>
    private static RunHistory PausedPrimary(bool reversed)
    {
        var commits = new List<CommitRecord>();
        var id = 0L;
        for (var ms = 1_000L; ms <= 9_000; ms += 1_000)
        {
            commits.Add(Ack(id++, N0, 1, (ulong)(ms / 10), ms));
        }
        commits.Add(Ack(id++, N0, 1, 950, 9_500));                       // acknowledged, not yet shipped: lost by the promotion
        for (var ms = 33_000L; ms <= 50_000; ms += 1_000)
        {
            commits.Add(Ack(id++, N1, 2, (ulong)(1_000 + ms / 10), ms));
        }
        commits.Add(Ack(id++, N0, 1, 1_000, 45_100));                    // the resumed old primary: split brain
        commits.Add(Maybe(id++, N0, 1, 1_050, 45_200));

        var builder = new RunHistoryBuilder();
        foreach (var commit in reversed ? Enumerable.Reverse(commits) : commits)
        {
            builder.RecordCommit(commit);
        }
        var faults = new[] { ("pause vm node0", 10_000L, 45_000L), ("loss node2", 12_000L, 13_000L) };
        foreach (var (kind, start, end) in reversed ? faults.Reverse() : faults)
        {
            builder.RecordFault(kind, Ms(start), Ms(end));
        }
        var nodes = reversed ? new[] { N2, N1, N0 } : [N0, N1, N2];
        foreach (var node in nodes)
        {
            builder.RecordRole(Ms(0), node, node == N0 ? NodeRole.Primary : NodeRole.Replica, T(1));
        }
        builder.RecordPromotion(Ms(32_000), N1, T(1), L(900), T(2));
        builder.RecordRole(Ms(32_000), N1, NodeRole.Primary, T(2));
        builder.RecordRole(Ms(46_000), N0, NodeRole.Replica, T(2));
        foreach (var node in nodes)
        {
            builder.RecordWalEnd(node, T(node == N0 ? 1 : 2), L(node == N0 ? 1_050UL : 6_000UL));
        }
        return builder.Build(Ms(60_000));
    }

    [Fact]
    public void PausedPrimaryWithoutWatchdogViolatesSafetyButRecovers()
    {
        var report = HistoryChecks.Run(PausedPrimary(reversed: false), Options);

        Assert.Equal(["durability", "single-writer", "fresh-promotion"], report.Violations);
        Assert.Equal([9L, 28L], report.Durability.Lost.Listed.Select(c => c.Id));
        Assert.Equal([29L], report.Durability.MaybeLost.Listed.Select(c => c.Id));
        var window = Assert.Single(report.SingleWriter.Windows);
        Assert.Equal((Ms(33_000), Ms(45_200)), (window.From, window.To)); // node0's term1 stint spans its pause
        Assert.Equal([28L, 29L], window.LosingCommits.Listed.Select(c => c.Id));
        Assert.Equal([9L], Assert.Single(report.FreshPromotion.Violations).Missing.Listed.Select(c => c.Id));
        Assert.Equal((LivenessVerdict.Holds, Ms(46_000), N1), (report.Liveness.Verdict, report.Liveness.UniqueFrom!.Value, report.Liveness.Primary!.Value)); // 1 s after the heal, once node0 is demoted
        Assert.Equal(new ClientOutage(Ms(9_501), Ms(33_001), D(23_500)), Assert.Single(report.ClientRto.Outages));
        Assert.Equal(D(22_000), report.ControllerRto.Longest);
        Assert.Equal(Duration.Zero, report.NoWritablePrimary.Total);
    }

    [Fact]
    public void ResultsDoNotDependOnRecordingOrder()
    {
        var forward = HistoryChecks.Run(PausedPrimary(reversed: false), Options);
        var backward = HistoryChecks.Run(PausedPrimary(reversed: true), Options);

        Assert.Equal(forward.SummaryLines, backward.SummaryLines);
        Assert.Equal(forward.Durability.Lost.Listed, backward.Durability.Lost.Listed);
        Assert.Equal(forward.SingleWriter.Windows[0].LosingCommits.Listed, backward.SingleWriter.Windows[0].LosingCommits.Listed);
        Assert.Equal(forward.ControllerRto.Recoveries, backward.ControllerRto.Recoveries);
    }
}
