using HaSim.Experiments.Sweeps;

namespace HaSim.Experiments.Tests.Sweeps;

public class MetricStatisticsTests
{
    [Fact]
    public void MeanSdAndTheStudentTInterval()
    {
        // 1..10: mean 5.5, sample sd sqrt(55/6) = 3.0277; t(0.975, 9) = 2.262157
        var s = MetricStatistics.Of([.. Enumerable.Range(1, 10).Select(i => (double)i)]);
        Assert.Equal(10, s.N);
        Assert.Equal(5.5, s.Mean, 12);
        Assert.Equal(Math.Sqrt(55.0 / 6), s.Sd!.Value, 12);
        var half = 2.2621571627409915 * Math.Sqrt(55.0 / 6) / Math.Sqrt(10);
        Assert.Equal(5.5 - half, s.MeanLow!.Value, 9);
        Assert.Equal(5.5 + half, s.MeanHigh!.Value, 9);
    }

    [Fact]
    public void PercentilesAreR7()
    {
        // numpy.percentile([1..10], [50, 90, 99]) = 5.5, 9.1, 9.91
        var s = MetricStatistics.Of([.. Enumerable.Range(1, 10).Select(i => (double)i)]);
        Assert.Equal((1.0, 5.5, 9.1, 9.91, 10.0), (s.Min, s.P50, s.P90, Math.Round(s.P99, 10), s.Max));
    }

    [Fact]
    public void TheMedianIntervalComesFromBinomialOrderStatistics()
    {
        // n = 10: P(1 < B < 9) = 1 - 2 (1 + 10) / 1024 = 0.9785 >= 0.95, P(2 < B < 8) = 0.8906 < 0.95: x(2) and x(9)
        var s = MetricStatistics.Of([.. Enumerable.Range(1, 10).Select(i => (double)i)]);
        Assert.Equal((2.0, 9.0), (s.MedianLow!.Value, s.MedianHigh!.Value));
        // n = 5: even (min, max) covers only 1 - 2/32 = 0.9375: no interval
        var five = MetricStatistics.Of([1, 2, 3, 4, 5]);
        Assert.Null(five.MedianLow);
        // one value: no spread, no intervals
        var one = MetricStatistics.Of([7]);
        Assert.Equal((1, 7.0, 7.0), (one.N, one.Mean, one.P99));
        Assert.Null(one.Sd);
        Assert.Null(one.MeanLow);
    }
}
