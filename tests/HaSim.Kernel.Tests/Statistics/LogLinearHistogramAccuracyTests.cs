using HaSim.Kernel.Statistics;
using Xunit.Abstractions;

namespace HaSim.Kernel.Tests.Statistics;

public class LogLinearHistogramAccuracyTests(ITestOutputHelper output)
{
    private const double OnePercent = 0.01;

    [Theory]
    [MemberData(nameof(Samples.All), MemberType = typeof(Samples))]
    public void QuantilesAreWithinTheBoundOfTheExactSampleQuantiles(string name)
    {
        var values = Samples.Generate(name);
        var sorted = Samples.Sorted(values);
        var histogram = Samples.Histogram(values);
        Assert.True(histogram.MaxRelativeError <= OnePercent);

        foreach (var q in Samples.RequiredQuantiles)
        {
            var exact = Samples.ExactQuantile(sorted, q);
            var estimate = histogram.ValueAtQuantile(q);
            var error = Samples.RelativeError(estimate, exact);
            Assert.True(error <= histogram.MaxRelativeError,
                $"{name}: q={q.ToString(System.Globalization.CultureInfo.InvariantCulture)} exact={exact} estimate={estimate}");
            if (exact < histogram.ExactBelow)
            {
                Assert.Equal(exact, estimate);
            }
        }
        Assert.Equal(sorted[0], histogram.ValueAtQuantile(0));
        Assert.Equal(sorted[^1], histogram.ValueAtQuantile(1));
    }

    [Fact]
    public void WorstErrorOverADenseQuantileGridIsWithinOnePercent()
    {
        var worst = 0.0;
        var worstAt = "";
        foreach (var name in Samples.Names)
        {
            var values = Samples.Generate(name);
            var sorted = Samples.Sorted(values);
            var histogram = Samples.Histogram(values);
            for (var i = 0; i <= 2000; i++)
            {
                var q = i / 2000.0;
                var error = Samples.RelativeError(histogram.ValueAtQuantile(q), Samples.ExactQuantile(sorted, q));
                if (error > worst)
                {
                    (worst, worstAt) = (error, $"{name} q={i}/2000");
                }
            }
        }
        output.WriteLine($"worst relative error over the samples: {worst:R} ({worstAt}); bound 1/256 = {1.0 / 256:R}");
        Assert.True(worst <= 1.0 / 256, $"{worst:R} at {worstAt}");
    }

    [Theory]
    [InlineData(6)]
    [InlineData(LogLinearHistogram.DefaultSubBucketBits)]
    [InlineData(10)]
    public void TheBoundHoldsAndIsTightInEveryBucket(int subBucketBits)
    {
        // The adversarial case: the true quantile sits at one edge of a wide bucket while the
        // clamped midpoint is reported. Three values {L, L, H} make the median L; {L, H, H} make it H.
        var histogram = new LogLinearHistogram(subBucketBits);
        var worst = 0.0;
        for (var i = (int)histogram.ExactBelow; i < histogram.BucketCount; i++)
        {
            var (low, high) = (histogram.BucketLow(i), histogram.BucketHigh(i));
            foreach (var (lows, highs, exact) in new[] { (2L, 1L, low), (1L, 2L, high) })
            {
                histogram.Reset();
                histogram.Record(low, lows);
                histogram.Record(high, highs);
                var estimate = histogram.ValueAtQuantile(0.5);
                Assert.InRange(estimate, low, high);
                var error = Samples.RelativeError(estimate, exact);
                Assert.True(error <= histogram.MaxRelativeError, $"bucket {i} [{low}, {high}]: {estimate} for {exact}");
                worst = Math.Max(worst, error);
            }
        }
        output.WriteLine($"p={subBucketBits}: buckets={histogram.BucketCount} worst in-bucket error {worst:R}, bound {histogram.MaxRelativeError:R}");
        Assert.True(worst > 0.99 * histogram.MaxRelativeError, "the analysis says the bound is attained");
        Assert.True(histogram.MaxRelativeError <= OnePercent);
    }

    [Fact]
    public void ValuesBelowTheExactBoundAreReportedExactly()
    {
        var histogram = new LogLinearHistogram();
        for (var v = 0L; v < histogram.ExactBelow; v++)
        {
            histogram.Record(v, v + 1);
        }
        var sorted = new List<long>();
        for (var v = 0L; v < histogram.ExactBelow; v++)
        {
            for (var k = 0; k <= v; k++)
            {
                sorted.Add(v);
            }
        }
        var array = sorted.ToArray();
        for (var i = 0; i <= 1000; i++)
        {
            var q = i / 1000.0;
            Assert.Equal(Samples.ExactQuantile(array, q), histogram.ValueAtQuantile(q));
        }
    }
}
