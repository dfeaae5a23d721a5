using HaSim.Model.Cluster;
using HaSim.Model.Spec;
using HaSim.Primitives;
using Xunit.Abstractions;

namespace HaSim.Model.Tests;

/// <summary>
/// The primary's WAL flush against queueing theory (reference/numbers.md 3.2), with no standbys
/// and Poisson commits.
/// </summary>
public class QueueingValidationTests(ITestOutputHelper output)
{
    private static readonly ReplicationSpec LocalOnly = new() { SynchronousCommit = SynchronousCommit.Local };

    [Fact]
    public void WithoutGroupCommitTheFlushIsAnMM1Queue()
    {
        // Each commit pays for its own exponential flush (mean 1 ms, mu = 1000/s) in FIFO order,
        // at lambda = 500/s: the commit latency is the M/M/1 sojourn time, mean 1/(mu - lambda)
        // = 2 ms. One simulated hour is 1.8 million commits; at rho = 0.5 the standard error of
        // the mean sojourn is about 0.3%, so 2% is a wide margin for a correct model and far
        // too narrow for a flush that batches even occasionally (which would cut the mean by 20%).
        var spec = Specs.Cluster(0, walFlush: "exp(mean=1ms)", rate: 500,
            replication: LocalOnly with { GroupCommit = false }, duration: Duration.Parse("1h"), warmup: Duration.Parse("10s"));
        var report = ClusterRunner.Run(spec, seed: 5);
        Assert.Null(report.Failure);
        output.WriteLine(Validation.Compare("M/M/1 mean sojourn (ms)", report.CommitLatency.Mean / 1e6, 2.0));
        output.WriteLine(Validation.Compare("M/M/1 median sojourn (ms)", report.CommitLatency.ValueAtQuantile(0.5) / 1e6, Math.Log(2) / 0.5));
        Assert.InRange(report.CommitLatency.Mean / 1e6 / 2.0, 0.98, 1.02);
        // The sojourn time of M/M/1 is Exp(mu - lambda): its median is ln 2 / 500 s = 1.386 ms.
        Assert.InRange(report.CommitLatency.ValueAtQuantile(0.5) / 1e6 / (Math.Log(2) / 0.5), 0.98, 1.02);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(2.0)]
    public void GroupCommitWithAFixedFlushTimeMatchesTheGatedBatchFormula(double lambdaD)
    {
        // A flush takes D = 1 ms and covers every commit that arrived before it started:
        // E[latency] = D (1 + p_busy / 2), p_busy = x e^x / (1 + x e^x) with x = lambda D.
        // 20 simulated minutes give at least 600,000 commits; the formula is checked by
        // simulation in the reference to 0.1%, and our run's standard error is below 0.3%, so 2%.
        var x = lambdaD;
        var pBusy = x * Math.Exp(x) / (1 + x * Math.Exp(x));
        var expectedMs = 1.0 * (1 + pBusy / 2);
        var spec = Specs.Cluster(0, walFlush: "1ms", rate: lambdaD * 1000, replication: LocalOnly,
            duration: Duration.Parse("20m"), warmup: Duration.Parse("10s"));
        var report = ClusterRunner.Run(spec, seed: 3);
        Assert.Null(report.Failure);
        output.WriteLine(Validation.Compare($"group commit mean (ms) at lambda D = {lambdaD}", report.CommitLatency.Mean / 1e6, expectedMs));
        Assert.InRange(report.CommitLatency.Mean / 1e6 / expectedMs, 0.98, 1.02);
    }
}

/// <summary>
/// Asynchronous replication against Little's law (reference/numbers.md 3.3): the time-average
/// number of acknowledged commits a standby does not yet hold equals the commit rate times the
/// mean time until it holds them.
/// </summary>
public class LittlesLawValidationTests(ITestOutputHelper output)
{
    [Fact]
    public void UnreplicatedCommitsEqualRateTimesReplicationDelay()
    {
        // A realistic asynchronous standby: lognormal network and disks, group commit, 1000/s.
        // Little's law holds for any stationary system, so the measured identity must hold to
        // within edge effects (commits in flight at the start and end of the window), which are
        // about 1e-5 of an hour's total: 2% is generous, and any bookkeeping slip (a commit
        // counted twice, or missed when acknowledged after its standby already flushed) breaks it.
        var spec = Specs.Cluster(1, walFlush: "lognormal(median=300us, p99=1ms)", walWrite: "10us",
            crossZone: "lognormal(median=2ms, p99=8ms)", rate: 1000, transactionSize: "lognormal(median=1kB, p99=8kB)",
            replication: new ReplicationSpec { SynchronousCommit = SynchronousCommit.On }, // no standby names: asynchronous
            duration: Duration.Parse("1h"), warmup: Duration.Parse("10s"));
        var report = ClusterRunner.Run(spec, seed: 9);
        Assert.Null(report.Failure);
        var standby = Assert.Single(report.Standbys);
        Assert.Equal("async", standby.SyncState);
        var littles = report.CommitsPerSecond * standby.MeanDurabilityDelaySeconds;
        output.WriteLine(Validation.Compare("time-average unreplicated commits vs rate x mean delay", standby.MeanNotDurableCommits, littles));
        Assert.InRange(standby.MeanNotDurableCommits / littles, 0.98, 1.02);
        Assert.InRange(standby.MeanDurabilityDelaySeconds, 0.001, 0.02);
    }

    [Fact]
    public void WithAFixedShippingDelayTheExpectedLossIsRateTimesDelay()
    {
        // Constant 5 ms one-way trip, instant disks: every commit reaches the standby exactly
        // 5 ms after it is acknowledged, so the expected number of acknowledged commits a failure
        // would lose is lambda x 5 ms = 2.5 at 500/s (the reference's "lambda=5, E[L]=0.5" case, scaled).
        var spec = Specs.Cluster(1, crossZone: "5ms", rate: 500,
            replication: new ReplicationSpec { SynchronousCommit = SynchronousCommit.Local },
            duration: Duration.Parse("30m"), warmup: Duration.Parse("1s"));
        var report = ClusterRunner.Run(spec, seed: 4);
        var standby = Assert.Single(report.Standbys);
        Assert.Equal(0.005, standby.MeanDurabilityDelaySeconds, 9);
        output.WriteLine(Validation.Compare("expected loss (commits) vs lambda x 5 ms", standby.MeanNotDurableCommits, 2.5));
        Assert.InRange(standby.MeanNotDurableCommits / 2.5, 0.98, 1.02);
    }
}
