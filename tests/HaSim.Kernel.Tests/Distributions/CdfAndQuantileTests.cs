using HaSim.Kernel.Distributions;
using HaSim.Primitives;
using MathNet.Numerics.Distributions;
using Xunit.Abstractions;

namespace HaSim.Kernel.Tests.Distributions;

/// <summary>The analytic CDF and quantile of every kind against MathNet and closed forms.</summary>
public class CdfAndQuantileTests(ITestOutputHelper output)
{
    private static readonly double[] Probabilities = [1e-6, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.999999];

    [Theory]
    [MemberData(nameof(DistributionCases.Names), MemberType = typeof(DistributionCases))]
    public void QuantileMatchesTheReference(string name)
    {
        var testCase = DistributionCases.All[name];
        var distribution = testCase.Parse();
        var worst = 0.0;
        foreach (var p in Probabilities)
        {
            var expected = testCase.ReferenceQuantile(p);
            var error = Math.Abs(distribution.Quantile(p) - expected) / expected;
            worst = Math.Max(worst, error);
            // The mixtures' reference is a root finder stopped at 1e-9 ns; the rest are closed forms.
            Assert.True(error < 1e-9, $"{testCase.Text}: Quantile({p}) = {distribution.Quantile(p)}, reference {expected}");
        }
        output.WriteLine($"{testCase.Text}: worst relative quantile error {worst:E1}");
    }

    [Theory]
    [MemberData(nameof(DistributionCases.Names), MemberType = typeof(DistributionCases))]
    public void CdfMatchesTheReference(string name)
    {
        var testCase = DistributionCases.All[name];
        var distribution = testCase.Parse();
        var worst = 0.0;
        // Points spread over the whole support, taken from the reference's own quantiles.
        foreach (var x in Probabilities.Select(testCase.ReferenceQuantile).Append(0).Append(-1))
        {
            var error = Math.Abs(distribution.Cdf(x) - testCase.ReferenceCdf(x));
            worst = Math.Max(worst, error);
            Assert.True(error < 1e-12, $"{testCase.Text}: Cdf({x}) = {distribution.Cdf(x)}, reference {testCase.ReferenceCdf(x)}");
        }
        output.WriteLine($"{testCase.Text}: worst absolute CDF error {worst:E1}");
    }

    [Theory]
    [MemberData(nameof(DistributionCases.Names), MemberType = typeof(DistributionCases))]
    public void CdfInvertsQuantile(string name)
    {
        var distribution = DistributionCases.All[name].Parse();
        foreach (var p in Probabilities)
        {
            var roundTrip = distribution.Cdf(distribution.Quantile(p));
            Assert.True(Math.Abs(roundTrip - p) <= 1e-12 * p + 1e-15, $"{distribution}: Cdf(Quantile({p})) = {roundTrip}");
        }
    }

    [Theory]
    [MemberData(nameof(DistributionCases.Names), MemberType = typeof(DistributionCases))]
    public void QuantileEndpoints(string name)
    {
        var distribution = DistributionCases.All[name].Parse();

        Assert.Equal(0, distribution.Cdf(distribution.Quantile(0) - 1));
        Assert.Equal(1, distribution.Cdf(distribution.Quantile(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => distribution.Quantile(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => distribution.Quantile(1.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => distribution.Quantile(double.NaN));
    }

    [Fact]
    public void LogNormalFromMedianAndP99HitsBothPercentiles()
    {
        var distribution = LatencyDistribution.Parse("lognormal(median=0.8ms, p99=2ms)");

        AssertRelative(0.8e6, distribution.Quantile(0.5), 1e-9);
        AssertRelative(2e6, distribution.Quantile(0.99), 1e-9);
        AssertRelative(0.5, distribution.Cdf(0.8e6), 1e-12);
        AssertRelative(0.99, distribution.Cdf(2e6), 1e-12);
    }

    [Fact]
    public void LogNormalMuIsInLnSeconds()
    {
        var distribution = (LogNormalLatency)LatencyDistribution.Parse("lognormal(mu=-7.13, sigma=0.5)");

        // The median is e^mu seconds: about 800.9us.
        AssertRelative(Math.Exp(-7.13) * 1e9, distribution.Quantile(0.5), 1e-12);
        // And the median form reports the same convention.
        AssertRelative(Math.Log(0.8e-3), ((LogNormalLatency)LatencyDistribution.Parse("lognormal(median=0.8ms, sigma=0.5)")).Mu, 1e-12);
    }

    [Fact]
    public void EmpiricalInterpolatesLinearly()
    {
        var distribution = LatencyDistribution.Parse("empirical(0: 0.1ms, 0.5: 0.8ms, 0.99: 2ms, 1: 5ms)");

        Assert.Equal(0.1e6, distribution.Quantile(0));
        Assert.Equal(0.8e6, distribution.Quantile(0.5));
        AssertRelative(0.8e6 + (0.75 - 0.5) / (0.99 - 0.5) * 1.2e6, distribution.Quantile(0.75), 1e-15);
        Assert.Equal(5e6, distribution.Quantile(1));
        Assert.Equal(0.25, distribution.Cdf(0.45e6));
    }

    [Fact]
    public void EmpiricalWithEqualValuesHasAnAtom()
    {
        // 30% of the delays are exactly 1ms.
        var distribution = LatencyDistribution.Parse("empirical(0: 0.5ms, 0.2: 1ms, 0.5: 1ms, 1: 2ms)");

        Assert.Equal(0.2, distribution.Cdf(1e6 - 1e-3), 6);
        Assert.Equal(0.5, distribution.Cdf(1e6));
        Assert.Equal(1e6, distribution.Quantile(0.3));
        Assert.Equal(1e6, distribution.Quantile(0.5));
    }

    [Fact]
    public void ConstantAndDegenerateUniformAreSteps()
    {
        foreach (var text in new[] { "const(1ms)", "1ms", "uniform(min=1ms, max=1ms)" })
        {
            var distribution = LatencyDistribution.Parse(text);
            Assert.Equal(0, distribution.Cdf(1e6 - 1));
            Assert.Equal(1, distribution.Cdf(1e6));
            Assert.Equal(1e6, distribution.Quantile(0.3));
            Assert.Equal(1e6, distribution.MeanNanoseconds);
        }
    }

    [Fact]
    public void TruncatedNormalNeverSamplesBelowZero()
    {
        var distribution = LatencyDistribution.Parse("normal(mean=0s, sd=1ms)");
        var rng = new SimRandom(3, "half-normal");

        Assert.Equal(0, distribution.Quantile(0));
        for (var i = 0; i < 10_000; i++)
        {
            Assert.False(distribution.Sample(rng).IsNegative);
        }
        // normal(mean=0) is the half-normal: median sd * Phi^-1(0.75).
        AssertRelative(1e6 * Normal.InvCDF(0, 1, 0.75), distribution.Quantile(0.5), 1e-12);
    }

    [Fact]
    public void HeavyTailsSaturateInsteadOfOverflowing()
    {
        // alpha = 0.01: Quantile(p) = xm (1 - p)^-100 exceeds long.MaxValue ns for p > 0.26.
        var pareto = LatencyDistribution.Parse("pareto(xm=1ms, alpha=0.01)");
        var shifted = LatencyDistribution.Parse("shifted(min=1h, pareto(xm=1ms, alpha=0.01))");
        var rng = new SimRandom(5, "tails");

        var samples = Enumerable.Range(0, 1000).Select(_ => shifted.Sample(rng)).Append(pareto.Sample(rng)).ToArray();

        Assert.Contains(Duration.MaxValue, samples);
    }

    internal static void AssertRelative(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"expected {expected}, got {actual} (relative tolerance {tolerance})");
}
