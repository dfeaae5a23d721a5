using HaSim.Kernel.Distributions;
using Xunit.Abstractions;

namespace HaSim.Kernel.Tests.Distributions;

/// <summary>
/// Samples against the analytic CDF with a one-sample Kolmogorov-Smirnov test: 100,000 samples
/// at a fixed seed, D below the critical value at significance 0.001 (1.9495 / sqrt(n), about
/// 0.0062). The reference CDF comes from MathNet, not from the class under test, so a wrong
/// sampler and a matching wrong CDF cannot pass together. The constant has no continuous CDF to
/// test against and is checked on its own.
/// </summary>
/// <remarks>
/// Samples are whole nanoseconds while the reference CDF is continuous. Rounding moves a sample
/// by at most 0.5 ns, so it moves F by at most F(x + 0.5ns) - F(x - 0.5ns): below 3e-5 for every
/// case here (the steepest is the Pareto at xm, density alpha / xm = 5e-5 per ns) except the
/// gamma with shape 0.5, whose density is unbounded at zero, where it is at most F(0.5ns), about
/// 6e-4. Both are well below the critical value, so rounding cannot decide a result.
/// </remarks>
public class GoodnessOfFitTests(ITestOutputHelper output)
{
    private const int SampleCount = 100_000;

    [Theory]
    [MemberData(nameof(DistributionCases.Names), MemberType = typeof(DistributionCases))]
    public void SamplesFollowTheReferenceCdf(string name)
    {
        var testCase = DistributionCases.All[name];
        var distribution = testCase.Parse();
        var rng = new SimRandom(20260101, "ks/" + name);
        var samples = new double[SampleCount];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = distribution.Sample(rng).Nanoseconds;
        }

        var d = KolmogorovSmirnov.Statistic(samples, testCase.ReferenceCdf);

        output.WriteLine($"{testCase.Text}: D = {d:F5} (critical {KolmogorovSmirnov.CriticalValue(SampleCount):F5})");
        Assert.True(d < KolmogorovSmirnov.CriticalValue(SampleCount), $"{testCase.Text}: D = {d} exceeds the 0.001 critical value");
    }

    [Fact]
    public void KolmogorovSmirnovRejectsAWrongDistribution()
    {
        // The test has power: exp(mean=1.05ms) samples against the exp(mean=1ms) reference.
        var reference = DistributionCases.All["exp"];
        var rng = new SimRandom(20260101, "ks/power");
        var wrong = LatencyDistribution.Parse("exp(mean=1.05ms)");
        var samples = Enumerable.Range(0, SampleCount).Select(_ => (double)wrong.Sample(rng).Nanoseconds).ToArray();

        Assert.True(KolmogorovSmirnov.Statistic(samples, reference.ReferenceCdf) > KolmogorovSmirnov.CriticalValue(SampleCount));
    }

    [Fact]
    public void ConstantSamplesItsValueWithoutDrawing()
    {
        var rng = new SimRandom(7, 0);
        var untouched = new SimRandom(7, 0);
        var constant = LatencyDistribution.Parse("const(1.5ms)");

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(HaSim.Primitives.Duration.Parse("1.5ms"), constant.Sample(rng));
        }
        Assert.Equal(untouched.NextUInt64(), rng.NextUInt64());
    }
}
