using HaSim.Kernel.Distributions;
using MathNet.Numerics.Distributions;
using Xunit.Abstractions;

namespace HaSim.Kernel.Tests.Distributions;

public class ZigguratNormalTests(ITestOutputHelper output)
{
    /// <summary>
    /// The layers close: built up from r with equal areas, the top layer (from its edge to x = 0)
    /// has the same area as the others. A wrong r or area leaves a top layer too big or too small
    /// (r off by 1e-9 moves it by about 1e-8, and the density sampled there with it).
    /// </summary>
    [Fact]
    public void TheTopLayerHasTheSameAreaAsTheOthers()
    {
        output.WriteLine($"top layer area {ZigguratNormal.TopLayerArea:R}, layer area {ZigguratNormal.LayerArea:R}");
        Assert.Equal(ZigguratNormal.LayerArea, ZigguratNormal.TopLayerArea, 1e-12);
    }

    /// <summary>
    /// A million draws against MathNet's normal CDF with Kolmogorov-Smirnov at significance 0.001
    /// (critical D about 0.00195): the rectangles, wedges and tail together must give the normal.
    /// A ziggurat with a wrong wedge test or a mis-sized base is off by far more than that.
    /// </summary>
    [Fact]
    public void DrawsFollowTheStandardNormal()
    {
        const int n = 1_000_000;
        var rng = new SimRandom(20261126, "ziggurat/ks");
        var samples = new double[n];
        for (var i = 0; i < n; i++)
        {
            samples[i] = ZigguratNormal.Next(rng);
        }
        var d = KolmogorovSmirnov.Statistic(samples, z => Normal.CDF(0, 1, z));
        output.WriteLine($"D = {d:F6} (critical {KolmogorovSmirnov.CriticalValue(n):F6})");
        Assert.True(d < KolmogorovSmirnov.CriticalValue(n), $"D = {d}");
    }

    /// <summary>
    /// The rare branches, where a slip would hide from a KS test: the share of draws beyond r (the
    /// tail method), beyond 2 (mostly wedges and rectangles of the lower layers) and beyond 4.5,
    /// each against its normal probability, within 5 binomial standard deviations (a correct sampler
    /// fails one with probability under 1e-6), over 4 million draws.
    /// </summary>
    [Theory]
    [InlineData(2.0)]
    [InlineData(ZigguratNormal.TailStart)]
    [InlineData(4.5)]
    public void TailSharesMatchTheNormal(double beyond)
    {
        const int n = 4_000_000;
        var rng = new SimRandom(20261126, "ziggurat/tail/" + beyond);
        var upper = 0;
        var lower = 0;
        for (var i = 0; i < n; i++)
        {
            var z = ZigguratNormal.Next(rng);
            if (z > beyond)
            {
                upper++;
            }
            else if (z < -beyond)
            {
                lower++;
            }
        }
        var p = 1 - Normal.CDF(0, 1, beyond);
        var expected = n * p;
        var tolerance = 5 * Math.Sqrt(n * p * (1 - p));
        output.WriteLine($"beyond {beyond}: {upper} above and {lower} below, expected {expected:F1} each, tolerance {tolerance:F1}");
        Assert.InRange(upper, expected - tolerance, expected + tolerance);
        Assert.InRange(lower, expected - tolerance, expected + tolerance);
    }
}
