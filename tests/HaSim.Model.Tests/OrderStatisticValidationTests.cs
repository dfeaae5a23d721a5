using HaSim.Kernel.Statistics;
using HaSim.Model.Cluster;
using HaSim.Model.Spec;
using HaSim.Primitives;
using MathNet.Numerics.Distributions;
using Xunit.Abstractions;

namespace HaSim.Model.Tests;

/// <summary>
/// Commit waits against order statistics (reference/numbers.md 3.1). Disks are instant and
/// replies free, so a commit waits exactly for the acknowledgement times it needs: the WAL's
/// one-way trip to each standby, i.i.d. exponential with mean 1 ms. The one thing that couples
/// successive commits is that a link, like TCP, never lets a message overtake the one before
/// it: a commit that follows the previous one within about a millisecond can queue behind its
/// WAL. At one commit per second that happens to about 0.05% of commits and adds under 0.03% to
/// the mean (at 10 per second it would add about 0.5%, a bias this test would see).
/// Tolerances: 200,000 commits give a standard error of the mean below 0.25% for every case
/// here, so 1% is four standard errors; a wrong rule (FIRST read as ANY, k off by one) moves the
/// mean by 20% or more. Quantiles carry the histogram's 0.4% bucket error plus sampling error
/// (about 0.5% at p50 and 1.5% at p99 for these sample sizes), hence 2% and 4%.
/// </summary>
public class OrderStatisticValidationTests(ITestOutputHelper output)
{
    private const double MeanAckMs = 1.0;
    private const int Commits = 200_000;
    private const double Rate = 1;

    private static LogLinearHistogram CommitWaits(int standbys, ReplicationSpec replication, ulong seed = 7, string ack = "exp(mean=1ms)")
    {
        var spec = Specs.Cluster(standbys, rate: Rate, replication: replication,
            overrides: Specs.StarLinks(standbys, down: ack, up: "0s"),
            duration: Duration.FromSeconds((long)(Commits / Rate)));
        var report = ClusterRunner.Run(spec, seed);
        Assert.Null(report.Failure);
        Assert.InRange(report.Commits, Commits * 0.98, Commits * 1.02);
        return report.CommitLatency;
    }

    /// <summary>E[X_(k) of n] for i.i.d. Exp(mean 1): (H_n - H_(n-k)).</summary>
    private static double ExpectedOrderStatistic(int k, int n) => Enumerable.Range(0, k).Sum(i => 1.0 / (n - i));

    /// <summary>The p-quantile of X_(k) of n i.i.d. Exp(mean 1): F^-1 of the Beta(k, n-k+1) quantile.</summary>
    private static double OrderStatisticQuantile(int k, int n, double p) => -Math.Log(1 - Beta.InvCDF(k, n - k + 1, p));

    private void AssertMatches(LogLinearHistogram waits, int k, int n) =>
        AssertMatches(waits, MeanAckMs * ExpectedOrderStatistic(k, n), OrderStatisticQuantile(k, n, 0.5), OrderStatisticQuantile(k, n, 0.99));

    private void AssertMatches(LogLinearHistogram waits, double mean, double p50, double p99)
    {
        var measured = (Mean: waits.Mean / 1e6, P50: waits.ValueAtQuantile(0.5) / 1e6, P99: waits.ValueAtQuantile(0.99) / 1e6);
        output.WriteLine(Validation.Compare("mean", measured.Mean, mean));
        output.WriteLine(Validation.Compare("p50", measured.P50, p50));
        output.WriteLine(Validation.Compare("p99", measured.P99, p99));
        Assert.InRange(measured.Mean / mean, 0.99, 1.01);
        Assert.InRange(measured.P50 / p50, 0.98, 1.02);
        Assert.InRange(measured.P99 / p99, 0.96, 1.04);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(1, 3)]
    [InlineData(2, 3)]
    [InlineData(3, 3)]
    [InlineData(4, 6)]
    public void AnyKOfNWaitsForTheKthFastestStandby(int k, int n)
    {
        var names = string.Join(", ", Enumerable.Range(1, n).Select(i => "s" + i));
        AssertMatches(CommitWaits(n, Specs.Sync($"ANY {k} ({names})")), k, n);
    }

    [Theory]
    [InlineData("FIRST 1 (s2, s1, s3)", 1)]
    [InlineData("s3, s1", 1)]
    [InlineData("FIRST 2 (s1, s2, s3)", 2)]
    [InlineData("2 (s3, s2, s1)", 2)]
    [InlineData("FIRST 3 (s1, s2, s3)", 3)]
    public void FirstKWaitsForTheSpecificHighestPriorityStandbys(string names, int k)
    {
        // Three standbys, but FIRST k waits for k particular ones: the maximum of k draws, never
        // a faster standby further down the list.
        AssertMatches(CommitWaits(3, Specs.Sync(names)), k, k);
    }

    [Theory]
    // reference/numbers.md: i.i.d. LogNormal(mu = 0, sigma = 0.5) in units of the median (1 ms here).
    [InlineData(1, 3, 0.7012, 0.6639, 1.4827)]
    [InlineData(2, 3, 1.0577, 1.0000, 2.1859)]
    [InlineData(3, 3, 1.6405, 1.5063, 3.8805)]
    [InlineData(2, 2, 1.4463, 1.3132, 3.6236)]
    [InlineData(3, 5, 1.0365, 1.0000, 1.8683)]
    [InlineData(4, 6, 1.1407, 1.1042, 1.9877)]
    public void AnyKOfNWithLognormalAcksMatchesTheReferenceTable(int k, int n, double mean, double p50, double p99)
    {
        var names = string.Join(", ", Enumerable.Range(1, n).Select(i => "s" + i));
        AssertMatches(CommitWaits(n, Specs.Sync($"ANY {k} ({names})"), ack: "lognormal(median=1ms, sigma=0.5)"), mean, p50, p99);
    }

    [Fact]
    public void AuroraStyleQuorumOfHeterogeneousSegments()
    {
        // reference/numbers.md, the Aurora-like 4/6 table: two segments in the writer's zone ack
        // at 0.1 ms + Exp(mean 0.25 ms), four in other zones at 1.0 ms + Exp(mean 0.25 ms);
        // the write quorum (k = 4) has E = 1.1486 ms, p50 = 1.1245 ms, p99 = 1.4957 ms.
        var overrides = new List<LinkOverride>();
        for (var i = 1; i <= 6; i++)
        {
            var down = i <= 2 ? "shifted(min=100us, exp(mean=250us))" : "shifted(min=1ms, exp(mean=250us))";
            overrides.Add(new LinkOverride(new NodeId(0), new NodeId(i), Specs.L(down), null, null));
            overrides.Add(new LinkOverride(new NodeId(i), new NodeId(0), Specs.L("0s"), null, null));
        }
        var spec = Specs.Cluster(6, rate: Rate, standbyRole: NodeRole.Storage, overrides: overrides,
            replication: new ReplicationSpec { SynchronousCommit = SynchronousCommit.On, StorageQuorum = new StorageQuorumSpec(4) },
            duration: Duration.FromSeconds((long)(Commits / Rate)));
        AssertMatches(ClusterRunner.Run(spec, seed: 11).CommitLatency, mean: 1.1486, p50: 1.1245, p99: 1.4957);
    }
}
