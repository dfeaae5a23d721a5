using HaSim.Experiments.Plots;

namespace HaSim.Experiments.Tests.Plots;

public class MetricNamesTests
{
    [Theory]
    [InlineData("commit_latency_p99_us", "commit latency p99", "µs", "commit latency p99 (µs)")]
    [InlineData("commit_latency_p999_us", "commit latency p99.9", "µs", "commit latency p99.9 (µs)")]
    [InlineData("flush_lag_p50_ms", "flush lag p50", "ms", "flush lag p50 (ms)")]
    [InlineData("client_rto_s", "client RTO", "s", "client RTO (s)")]
    [InlineData("throughput_per_s", "throughput", "per s", "throughput (per s)")]
    [InlineData("lost_commits", "lost commits", "", "lost commits")]
    [InlineData("split_brain_windows", "split brain windows", "", "split brain windows")]
    public void TheUnitComesFromTheSuffix(string metric, string name, string unit, string label)
    {
        var described = MetricNames.Describe(metric);
        Assert.Equal(name, described.Name);
        Assert.Equal(unit, described.Unit);
        Assert.Equal(label, described.Label);
    }

    [Theory]
    [InlineData("µs", 999, "µs", 1)]
    [InlineData("µs", 1500, "ms", 1e-3)]
    [InlineData("µs", 2_000_000, "s", 1e-6)]
    [InlineData("ms", 20_000, "s", 1e-3)]
    [InlineData("s", 5000, "s", 1)]
    [InlineData("per s", 5000, "per s", 1)]
    [InlineData("", 1e6, "", 1)]
    public void TimesRunningIntoThousandsAreShownInACoarserUnit(string unit, double max, string shown, double multiplier)
    {
        var (u, m) = MetricNames.Readable(unit, max);
        Assert.Equal(shown, u);
        Assert.Equal(multiplier, m, 12);
    }

    [Fact]
    public void SeveralMetricsShareTheirCommonWordsInALabel()
    {
        var p50 = MetricNames.Describe("commit_latency_p50_us");
        var p99 = MetricNames.Describe("commit_latency_p99_us");
        var rto = MetricNames.Describe("client_rto_s");
        Assert.Equal("commit latency p50 / p99", LinesFigure.CommonName([p50, p99]));
        Assert.Equal("commit latency p50, client RTO", LinesFigure.CommonName([p50, rto]));
        Assert.Equal("client RTO", LinesFigure.CommonName([rto]));
    }

    [Fact]
    public void BoxQuartilesInterpolateBetweenOrderStatistics()
    {
        double[] sorted = [1, 2, 3, 4, 10];
        Assert.Equal(3, BoxFigure.Quantile(sorted, 0.5));
        Assert.Equal(2, BoxFigure.Quantile(sorted, 0.25));
        Assert.Equal(4, BoxFigure.Quantile(sorted, 0.75));
        Assert.Equal(2.5, BoxFigure.Quantile([1.0, 2, 3, 4], 0.5));
        Assert.Equal(7, BoxFigure.Quantile([7.0], 0.9));
    }
}
