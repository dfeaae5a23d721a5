using HaSim.Model.Cluster;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Tests;

/// <summary>PostgreSQL's synchronous_commit levels and the other commit modes, with fixed delays so every wait is exact.</summary>
public class CommitSemanticsTests
{
    // Fixed delays: local flush 1 ms, one-way network 2 ms each way, standby write 0.5 ms and
    // flush 1 ms, 1 kB replayed in 3 ms (at ~341 kB/s). At 10 commits/s a commit rarely finds
    // another in its way, so the median commit waits exactly the sum of its steps (the tail
    // includes the occasional Poisson pair that queues).
    private static ClusterRunReport Run(ReplicationSpec replication, int standbys = 1, string down = "2ms", string up = "2ms")
    {
        var spec = Specs.Cluster(standbys, walFlush: "1ms", walWrite: "500us", rate: 10, transactionSize: "1kB",
            replayBytesPerSecond: 1024 / 0.003, replication: replication, overrides: Specs.StarLinks(standbys, down, up),
            duration: Duration.Parse("60s"));
        var report = ClusterRunner.Run(spec, seed: 1);
        Assert.Null(report.Failure);
        return report;
    }

    private static double MedianMs(ClusterRunReport report) => report.CommitLatency.ValueAtQuantile(0.5) / 1e6;

    [Theory]
    // Local: write 0.5 + flush 1. Remote levels add the trip there (2), the standby's steps, and the reply (2).
    [InlineData(SynchronousCommit.Off, 0.0)]
    [InlineData(SynchronousCommit.Local, 1.5)]
    [InlineData(SynchronousCommit.RemoteWrite, 1.5 + 2 + 0.5 + 2)]
    [InlineData(SynchronousCommit.On, 1.5 + 2 + 0.5 + 1 + 2)]
    [InlineData(SynchronousCommit.RemoteApply, 1.5 + 2 + 0.5 + 1 + 3 + 2)]
    public void EachLevelWaitsForItsPoint(SynchronousCommit level, double expectedMs)
    {
        var report = Run(Specs.Sync("s1", level));
        // The median comes from the histogram, exact to its 0.4% bucket resolution; the minimum is exact.
        Assert.Equal(expectedMs, report.CommitLatency.Min / 1e6, 6);
        Assert.InRange(MedianMs(report), expectedMs * 0.995, expectedMs * 1.005 + 1e-9);
    }

    [Fact]
    public void WithoutSynchronousStandbysRemoteLevelsBehaveAsLocal()
    {
        var report = Run(new ReplicationSpec { SynchronousCommit = SynchronousCommit.RemoteApply });
        Assert.Equal(1.5, MedianMs(report), 2);
        Assert.Equal("async", Assert.Single(report.Standbys).SyncState);
    }

    [Fact]
    public void AsynchronousStandbysHoldCommitsOneShippingDelayLater()
    {
        // Acknowledged at the local flush; the standby flushes 2 + 0.5 + 1 = 3.5 ms later.
        var report = Run(new ReplicationSpec { SynchronousCommit = SynchronousCommit.Local });
        var standby = Assert.Single(report.Standbys);
        Assert.Equal(0.0035, standby.MeanDurabilityDelaySeconds, 6);
        // Little's law with the measured commit rate (575 commits in 60 s at this seed).
        Assert.Equal(report.CommitsPerSecond * 0.0035, standby.MeanNotDurableCommits, 6);
    }

    [Fact]
    public void SyncStatesFollowPostgres()
    {
        var first = Run(Specs.Sync("FIRST 1 (s2, s1)"), standbys: 3);
        Assert.Equal(["potential", "sync", "async"], first.Standbys.Select(s => s.SyncState));
        var any = Run(Specs.Sync("ANY 1 (s1, s3)"), standbys: 3);
        Assert.Equal(["quorum", "async", "quorum"], any.Standbys.Select(s => s.SyncState));
        var star = Run(Specs.Sync("FIRST 2 (*)"), standbys: 3);
        Assert.Equal(["sync", "sync", "potential"], star.Standbys.Select(s => s.SyncState));
    }

    [Fact]
    public void SemiSyncFallsBackToAsynchronousAfterItsTimeoutAndResumes()
    {
        // The only replica is 3 s away; the timeout is 1 s. The first commit waits out the timeout
        // (counted, as in MySQL, from the end of its local flush), then the primary runs
        // asynchronously until the replica's acknowledgements catch up.
        var replication = new ReplicationSpec
        {
            SynchronousCommit = SynchronousCommit.On,
            SemiSync = new SemiSyncSpec(WaitForReplicaCount: 1, Timeout: Duration.Parse("1s")),
        };
        var report = Run(replication, down: "3s", up: "1ms");
        Assert.True(report.SemiSyncFallbacks >= 1);
        Assert.True(report.SemiSyncAsyncTime > Duration.Zero);
        Assert.Equal(1000 + 1.5, report.CommitLatency.Max / 1e6, 0);
    }

    [Fact]
    public void HealthySemiSyncNeverFallsBack()
    {
        // Regression: the count of locally flushed commits once drifted above the truth after
        // releases, so commits whose wait never started timed out at once after the first
        // timeout period: thousands of spurious fallbacks in a healthy cluster.
        var replication = new ReplicationSpec
        {
            SynchronousCommit = SynchronousCommit.On,
            SemiSync = new SemiSyncSpec(WaitForReplicaCount: 1, Timeout: Duration.Parse("1s")),
        };
        var spec = Specs.Cluster(2, walFlush: "lognormal(median=300us, p99=1ms)", crossZone: "lognormal(median=400us, p99=1.2ms)",
            rate: 2000, replication: replication, duration: Duration.Parse("30s"));
        var report = ClusterRunner.Run(spec, seed: 3);
        Assert.Equal(0, report.SemiSyncFallbacks);
        Assert.True(report.CommitLatency.Max < 20_000_000, "no commit waits anywhere near the 1 s timeout");
    }

    [Fact]
    public void ReadsOnReplicasReportHowStaleTheyAre()
    {
        // A commit becomes visible on the asynchronous replica 2 + 0.5 + 1 + 0.3 = 3.8 ms after it
        // was acknowledged, later if the replica's pipeline is busy: a read that lands in that
        // window sees data that old. At 100 commits/s most reads find the replica caught up.
        var spec = Specs.Cluster(1, walFlush: "1ms", walWrite: "500us", rate: 100, transactionSize: "1kB",
            replayBytesPerSecond: 1024 / 0.0003, replication: new ReplicationSpec { SynchronousCommit = SynchronousCommit.Local },
            overrides: Specs.StarLinks(1, "2ms", "2ms"), duration: Duration.Parse("60s"), readFraction: 0.5, readRouting: ReadRouting.Replicas);
        var report = ClusterRunner.Run(spec, seed: 2);
        Assert.InRange(report.Reads, 2700, 3300);
        Assert.InRange(report.ReadStaleness.Max / 1e6, 3.0, 10.0);
        Assert.True(report.ReadStaleness.Mean > 0);
        Assert.Equal(0, report.ReadStaleness.ValueAtQuantile(0.5));
    }

    [Fact]
    public void AStandbyReplaysWhatItFlushedAtItsReplayThroughputAndReportsIt()
    {
        // 100 commits/s of 10 kB: about 1 MB/s of WAL, replayed at 2 MB/s, so a commit's WAL
        // (10,240 bytes) takes 5.1 ms to replay after its 1 ms flush. The standby reports what it
        // replayed with its next reply, after its next flush (10 ms later on average): a replay
        // lag of about 15 ms, and by the end of the run the replay has caught up but for the last
        // commit or two. Replay ends without events of its own; this checks it still moves.
        var spec = Specs.Cluster(1, walFlush: "1ms", rate: 100, transactionSize: "10kB", replayBytesPerSecond: 2_000_000,
            replication: new ReplicationSpec { SynchronousCommit = SynchronousCommit.Local }, duration: Duration.Parse("60s"));
        var report = ClusterRunner.Run(spec, seed: 4);
        var standby = report.Standbys[0];
        Assert.InRange((long)(standby.FlushLsn.Bytes - standby.ReplayLsn.Bytes), 0, 3 * 10_240);
        Assert.InRange(standby.ReplayLag.ValueAtQuantile(0.5) / 1e6, 8.0, 25.0);
        Assert.InRange(standby.ReplayLag.Min / 1e6, 6.0, 8.0); // flush, then 5.1 ms of replay, then the next reply
    }

    [Fact]
    public void ClosedLoopClientsWaitForTheirCommits()
    {
        // 4 clients, 10 ms think time, 1.5 ms local commits: each client completes one transaction
        // every 11.5 ms, so 4 / 11.5 ms = 347.8 commits per second.
        var spec = Specs.Cluster(0, walFlush: "1ms", walWrite: "500us", replication: new ReplicationSpec { SynchronousCommit = SynchronousCommit.Local },
            closedLoop: new ClosedLoopSpec(4, Specs.L("10ms")), duration: Duration.Parse("60s"));
        var report = ClusterRunner.Run(spec, seed: 1);
        Assert.InRange(report.CommitsPerSecond, 340, 350);
    }
}

public class RunBehaviourTests
{
    private static ClusterSpec Lesson(ulong rate = 2000) => Specs.Cluster(2, walFlush: "lognormal(median=350us, p99=1.2ms)", walWrite: "10us",
        crossZone: "lognormal(median=350us, p99=1.2ms)", rate: rate, transactionSize: "lognormal(median=1kB, p99=8kB)",
        replayBytesPerSecond: 80e6, replication: Specs.Sync("FIRST 1 (s1)"), duration: Duration.Parse("10s"), warmup: Duration.Parse("1s"));

    [Fact]
    public void TheSameSeedGivesTheSameRunAndAnotherSeedAnother()
    {
        var a = ClusterRunner.Run(Lesson(), seed: 42);
        var b = ClusterRunner.Run(Lesson(), seed: 42);
        var c = ClusterRunner.Run(Lesson(), seed: 43);
        Assert.Equal(a.Fingerprint, b.Fingerprint);
        Assert.Equal(a.CommitLatency.Mean, b.CommitLatency.Mean);
        Assert.NotEqual(a.TraceHash, c.TraceHash);
    }

    [Fact]
    public void ReachingTheEventBoundIsAReportedFailure()
    {
        var report = ClusterRunner.Run(Lesson() with { MaxEvents = 10_000 }, seed: 1);
        Assert.NotNull(report.Failure);
        Assert.Contains("bound of 10000 events", report.Failure, StringComparison.Ordinal);
        Assert.Equal(10_000, report.Run.EventsProcessed);
    }

    [Fact]
    public void AnOverloadedDiskIsReportedNotQueuedForever()
    {
        // 2,000 commits per second against a disk that flushes one commit per 10 ms with group
        // commit off: the queue grows by 1,900 commits a second until it passes its bound (about
        // a million waiting commits, some nine simulated minutes in), and the run says so.
        var spec = Specs.Cluster(0, walFlush: "10ms", rate: 2000,
            replication: new ReplicationSpec { SynchronousCommit = SynchronousCommit.Local, GroupCommit = false },
            duration: Duration.Parse("1h"));
        var report = ClusterRunner.Run(spec, seed: 1);
        Assert.NotNull(report.Failure);
        Assert.Contains("overloaded", report.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void SlicingTheRunForProgressDoesNotChangeIt()
    {
        var calls = 0;
        var withProgress = ClusterRunner.Run(Lesson(), seed: 5, progress: (_, _) => calls++);
        var without = ClusterRunner.Run(Lesson(), seed: 5);
        Assert.Equal(100, calls);
        Assert.Equal(without.Fingerprint, withProgress.Fingerprint);
    }

    [Fact]
    public void WarmupCommitsAreNotMeasured()
    {
        var report = ClusterRunner.Run(Lesson(), seed: 1);
        Assert.Equal(Duration.Parse("10s"), report.Measured);
        Assert.InRange(report.Commits, 19_000, 21_000);
    }
}
