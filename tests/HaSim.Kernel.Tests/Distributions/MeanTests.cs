using HaSim.Kernel.Distributions;
using Xunit.Abstractions;

namespace HaSim.Kernel.Tests.Distributions;

public class MeanTests(ITestOutputHelper output)
{
    private const int SampleCount = 100_000;

    /// <summary>The analytic mean against the reference's (MathNet's, or numeric integration for the truncated normal).</summary>
    [Theory]
    [MemberData(nameof(DistributionCases.Names), MemberType = typeof(DistributionCases))]
    public void AnalyticMeanMatchesTheReference(string name)
    {
        var testCase = DistributionCases.All[name];

        CdfAndQuantileTests.AssertRelative(testCase.ReferenceMean, testCase.Parse().MeanNanoseconds, 1e-9);
    }

    /// <summary>The hot path's SampleInline draws what Sample draws, value for value and draw for draw, for every kind.</summary>
    [Theory]
    [MemberData(nameof(DistributionCases.Names), MemberType = typeof(DistributionCases))]
    public void SampleInlineDrawsWhatSampleDraws(string name)
    {
        var distribution = DistributionCases.All[name].Parse();
        var (virtualCall, inline) = (new SimRandom(7, "inline"), new SimRandom(7, "inline"));
        for (var i = 0; i < 10_000; i++)
        {
            Assert.Equal(distribution.Sample(virtualCall), distribution.SampleInline(inline));
        }
        Assert.Equal(virtualCall.NextUInt64(), inline.NextUInt64()); // both streams moved as far
    }

    /// <summary>
    /// The sample mean of 100,000 samples lies within 5 standard errors (sample standard
    /// deviation / sqrt(n)) of the analytic mean: a correct sampler fails that with probability
    /// about 6e-7, and the fixed seed makes the outcome the same on every run. Every case here has
    /// a finite variance (the Pareto has alpha = 10 &gt; 2), which the standard error needs.
    /// </summary>
    [Theory]
    [MemberData(nameof(DistributionCases.Names), MemberType = typeof(DistributionCases))]
    public void SampleMeanIsNearTheAnalyticMean(string name)
    {
        var distribution = DistributionCases.All[name].Parse();
        var rng = new SimRandom(20260102, "mean/" + name);
        double sum = 0, sumOfSquares = 0;
        for (var i = 0; i < SampleCount; i++)
        {
            double x = distribution.Sample(rng).Nanoseconds;
            sum += x;
            sumOfSquares += x * x;
        }
        var mean = sum / SampleCount;
        var standardError = Math.Sqrt((sumOfSquares / SampleCount - mean * mean) / (SampleCount - 1));
        var z = (mean - distribution.MeanNanoseconds) / standardError;

        output.WriteLine($"{distribution}: sample mean {mean:F0} ns, analytic {distribution.MeanNanoseconds:F0} ns, z = {z:F2}");
        Assert.True(Math.Abs(z) < 5, $"{distribution}: sample mean {mean} is {z:F1} standard errors from {distribution.MeanNanoseconds}");
    }

    [Fact]
    public void ParetoMeanIsInfiniteForAlphaAtMostOne()
    {
        Assert.Equal(double.PositiveInfinity, LatencyDistribution.Parse("pareto(xm=1ms, alpha=1)").MeanNanoseconds);
        Assert.Equal(double.PositiveInfinity, LatencyDistribution.Parse("pareto(xm=1ms, alpha=0.5)").MeanNanoseconds);
        Assert.Equal(double.PositiveInfinity, LatencyDistribution.Parse("mix(0.99: 1ms, 0.01: pareto(xm=1ms, alpha=0.5))").MeanNanoseconds);
        Assert.Equal(2e6, LatencyDistribution.Parse("pareto(xm=1ms, alpha=2)").MeanNanoseconds);
    }
}
