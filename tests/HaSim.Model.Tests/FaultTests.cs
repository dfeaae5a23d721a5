using HaSim.Model.Cluster;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Tests;

/// <summary>Network partitions, degraded links and disk stalls, and what PostgreSQL's replication does under them.</summary>
public class FaultTests
{
    private static readonly Duration SenderTimeout = Duration.Parse("5s");

    private static NodeId[] Nodes(params int[] ids) => ids.Select(i => new NodeId(i)).ToArray();

    /// <summary>Primary, two standbys (s1, s2), fixed 1 ms trips, 100 commits/s for 60 s.</summary>
    private static ClusterRunReport Run(ReplicationSpec replication, params FaultSpec[] faults)
    {
        var spec = Specs.Cluster(2, walFlush: "200us", crossZone: "1ms", rate: 100,
            replication: replication with { WalSenderTimeout = SenderTimeout }, duration: Duration.Parse("60s")) with { Faults = faults };
        var report = ClusterRunner.Run(spec, seed: 1);
        Assert.Null(report.Failure);
        return report;
    }

    private static PartitionFault Isolate(int node, string at, string length) =>
        new(Duration.Parse(at), Duration.Parse(length), Nodes(0), Nodes(node));

    private static double MaxLatencySeconds(ClusterRunReport report) => report.CommitLatency.Max / 1e9;

    [Fact]
    public void APartitionedSyncStandbyStallsCommitsUntilWalSenderTimeoutThenThePotentialOneTakesOver()
    {
        // FIRST 1 (s1, s2): s1 is cut off both ways at 10 s for 20 s. Commits wait for s1 until the
        // primary gives up on it after wal_sender_timeout (5 s of silence), then s2, the
        // potential standby, becomes synchronous and commits flow again.
        var partition = new PartitionFault(Duration.Parse("10s"), Duration.Parse("20s"), Nodes(0, 2), Nodes(1));
        var back = new PartitionFault(Duration.Parse("10s"), Duration.Parse("20s"), Nodes(1), Nodes(0, 2));
        var report = Run(Specs.Sync("FIRST 1 (s1, s2)"), partition, back);
        var s1 = report.Standbys[0];
        Assert.Equal(1, s1.Disconnections);
        // s1's last reply came shortly before 10 s; it is dropped at the first check past 5 s of silence.
        Assert.InRange(MaxLatencySeconds(report), 4.0, 6.1);
        // Reconnected after the heal: it answers within its 10 s status interval, or at once if WAL reaches it.
        Assert.InRange(s1.DisconnectedTime.TotalSeconds, 14.0, 26.0);
        Assert.InRange(report.Commits, 5_800, 6_200); // nothing was lost, only delayed
    }

    [Fact]
    public void WithNoOtherCandidateCommitsWaitForTheHeal()
    {
        var report = Run(Specs.Sync("FIRST 1 (s1)"), Isolate(1, "10s", "20s"), new PartitionFault(Duration.Parse("10s"), Duration.Parse("20s"), Nodes(1), Nodes(0)));
        Assert.InRange(MaxLatencySeconds(report), 19.9, 20.1);
    }

    [Fact]
    public void AnAsynchronousStandbyBehindAPartitionCostsCommitsNothingButExposesData()
    {
        var calm = Run(new ReplicationSpec { SynchronousCommit = SynchronousCommit.On });
        var cut = Run(new ReplicationSpec { SynchronousCommit = SynchronousCommit.On }, Isolate(1, "10s", "20s"));
        Assert.Equal(calm.CommitLatency.Max, cut.CommitLatency.Max);
        // For 20 of the 60 s, s1 misses everything acknowledged since the partition began: on
        // average 100/s x 20 s / 2 = 1,000 commits over those 20 s, a third of the run.
        Assert.InRange(cut.Standbys[0].MeanNotDurableCommits, 300, 380);
        Assert.True(calm.Standbys[0].MeanNotDurableCommits < 1);
    }

    [Fact]
    public void WhenOnlyRepliesAreLostTheStandbyHasTheDataButThePrimaryCannotKnow()
    {
        // One-way: s1 -> primary is blocked; the WAL still reaches s1. Commits waiting for s1 stall
        // (the primary never hears that s1 flushed them), yet s1 holds every commit.
        var oneWay = new PartitionFault(Duration.Parse("10s"), Duration.Parse("20s"), Nodes(1), Nodes(0));
        var report = Run(Specs.Sync("FIRST 1 (s1)"), oneWay);
        Assert.InRange(MaxLatencySeconds(report), 19.9, 20.1);
        Assert.True(report.Standbys[0].MeanNotDurableCommits < 0.01);
    }

    [Fact]
    public void ADiskStallOnThePrimaryHoldsEveryCommitUntilItEnds()
    {
        var stall = new DiskStallFault(Duration.Parse("10s"), Duration.Parse("2s"), new NodeId(0));
        var report = Run(new ReplicationSpec { SynchronousCommit = SynchronousCommit.Local }, stall);
        // The first commit after the stall begins (a Poisson arrival, ~10 ms later) waits the rest of it.
        Assert.InRange(MaxLatencySeconds(report), 1.9, 2.001);
    }

    [Fact]
    public void ADegradedLinkSlowsSynchronousCommitsWhileItLasts()
    {
        var slow = new LinkFault(Duration.Parse("0s"), Duration.Parse("30s"), Nodes(0), Nodes(1), Specs.L("50ms"), null);
        var report = Run(Specs.Sync("FIRST 1 (s1)"), slow);
        // Local flush 0.2 ms, WAL to s1, its flush 0.2 ms, reply 1 ms: half the run with a 50 ms
        // trip to s1 (51.4 ms), half with the usual 1 ms (2.4 ms).
        Assert.InRange(report.CommitLatency.ValueAtQuantile(0.25) / 1e6, 2.39, 2.42);
        Assert.InRange(report.CommitLatency.ValueAtQuantile(0.75) / 1e6, 51.2, 51.7);
    }

    [Fact]
    public void ACrashedSyncStandbyIsReplacedThenCatchesUpAfterItsRestart()
    {
        // s1 crashes at 10 s for 20 s: commits wait wal_sender_timeout (5 s) for it, then s2
        // becomes synchronous. Restarted, s1 asks for WAL from its flushed position and catches up.
        var report = Run(Specs.Sync("FIRST 1 (s1, s2)"), new CrashFault(Duration.Parse("10s"), Duration.Parse("20s"), new NodeId(1)));
        var s1 = report.Standbys[0];
        Assert.InRange(MaxLatencySeconds(report), 4.0, 6.1);
        Assert.Equal(1, s1.Disconnections);
        Assert.True(report.Standbys[1].FlushLsn - s1.FlushLsn < 64 * 1024, $"s1 caught up: {s1.FlushLsn} vs {report.Standbys[1].FlushLsn}");
    }

    [Fact]
    public void ACrashedAsynchronousStandbyMissesWhatWasAcknowledgedWhileItWasDown()
    {
        var report = Run(new ReplicationSpec { SynchronousCommit = SynchronousCommit.On }, new CrashFault(Duration.Parse("10s"), Duration.Parse("20s"), new NodeId(1)));
        Assert.Equal(report.CommitLatency.Max, Run(new ReplicationSpec { SynchronousCommit = SynchronousCommit.On }).CommitLatency.Max);
        // As with a partition: for 20 of the 60 s it misses up to 20 s of commits, 1,000 on average.
        Assert.InRange(report.Standbys[0].MeanNotDurableCommits, 300, 380);
    }

    [Fact]
    public void APausedPrimaryHoldsTheCommitsThatReachIt()
    {
        // The primary's machine stops for 2 s: commits arriving meanwhile wait in its socket and
        // are served at once when it resumes; the first to arrive waits almost the whole 2 s.
        var report = Run(new ReplicationSpec { SynchronousCommit = SynchronousCommit.Local }, new PauseFault(Duration.Parse("10s"), Duration.Parse("2s"), new NodeId(0)));
        Assert.InRange(MaxLatencySeconds(report), 1.9, 2.001);
        Assert.InRange(report.Commits, 5_800, 6_200);
        Assert.All(report.Standbys, s => Assert.Equal(0, s.Disconnections));
    }

    [Fact]
    public void AStandbyPausedLongerThanWalSenderTimeoutIsDropped()
    {
        var report = Run(Specs.Sync("FIRST 1 (s1)"), new PauseFault(Duration.Parse("10s"), Duration.Parse("10s"), new NodeId(1)));
        Assert.Equal(1, report.Standbys[0].Disconnections);
        // FIRST 1 (s1) has no one else: commits wait out the whole pause.
        Assert.InRange(MaxLatencySeconds(report), 9.9, 10.1);
    }

    [Fact]
    public void ACrashedNodeCompletesNoDiskWorkEvenWhenItsStepsWereDeferredByAPause()
    {
        // s1's disk takes 10 ms per write and flush, so steps are in flight when it is paused at
        // 10 s; they wait for the end of the pause (20 s), but it crashes at 15 s: those steps
        // are lost with the machine and must not complete at 20 s, while it is down (until 25 s).
        var spec = Specs.Cluster(2, walWrite: "10ms", walFlush: "10ms", crossZone: "1ms", rate: 100, replication: new ReplicationSpec { SynchronousCommit = SynchronousCommit.On },
            duration: Duration.Parse("30s")) with
        {
            Faults = [new PauseFault(Duration.Parse("10s"), Duration.Parse("10s"), new NodeId(1)), new CrashFault(Duration.Parse("15s"), Duration.Parse("10s"), new NodeId(1))],
        };
        var trace = new HaSim.Kernel.BoundedTraceBuffer(1_000_000);
        ClusterRunner.Run(spec, seed: 1, traceSink: trace);
        var down = (From: Instant.Start + Duration.Parse("15s"), To: Instant.Start + Duration.Parse("25s"));
        Assert.DoesNotContain(trace.Events, e => e.Subject == 1 && e.Kind.Name is "wal.write" or "wal.flush"
            && e.Time >= down.From && e.Time < down.To);
        Assert.Contains(trace.Events, e => e.Subject == 1 && e.Kind.Name == "wal.flush" && e.Time >= down.To);
    }

    [Fact]
    public void RunsWithFaultsAreDeterministic()
    {
        var a = Run(Specs.Sync("ANY 1 (s1, s2)"), Isolate(1, "5s", "10s"));
        var b = Run(Specs.Sync("ANY 1 (s1, s2)"), Isolate(1, "5s", "10s"));
        Assert.Equal(a.Fingerprint, b.Fingerprint);
    }
}
