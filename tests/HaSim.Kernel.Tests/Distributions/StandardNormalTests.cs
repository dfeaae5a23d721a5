using HaSim.Kernel.Distributions;
using MathNet.Numerics.Distributions;
using Xunit.Abstractions;

namespace HaSim.Kernel.Tests.Distributions;

public class StandardNormalTests(ITestOutputHelper output)
{
    /// <summary>
    /// AS 241 against MathNet's Normal.InvCDF (an erfc-inverse, an independent method) across the
    /// three branches: the centre (|p - 0.5| &lt;= 0.425), the near tail (r = sqrt(-ln p) &lt;= 5, down
    /// to p of about 1.4e-11) and the far tail, in both directions.
    /// </summary>
    [Fact]
    public void QuantileMatchesMathNetToFullPrecision()
    {
        double[] lower = [1e-300, 1e-100, 1e-20, 1e-12, 1.3e-11, 1.5e-11, 1e-9, 1e-6, 0.001, 0.02, 0.074, 0.076, 0.2, 0.4, 0.49];
        var worst = 0.0;
        // Mirrored into the upper tail where 1 - p is still below 1 in double precision.
        foreach (var p in lower.Concat(lower.Where(p => p > 1e-15).Select(p => 1 - p)).Append(0.5 + 1e-9))
        {
            var expected = Normal.InvCDF(0, 1, p);
            var error = Math.Abs(StandardNormal.Quantile(p) - expected) / Math.Abs(expected);
            worst = Math.Max(worst, error);
            Assert.True(error < 1e-12, $"Quantile({p:R}) = {StandardNormal.Quantile(p):R}, MathNet {expected:R}");
        }
        output.WriteLine($"worst relative error against MathNet: {worst:E1}");
    }

    [Fact]
    public void QuantileEndpointsAndSymmetry()
    {
        Assert.Equal(0, StandardNormal.Quantile(0.5));
        Assert.Equal(double.NegativeInfinity, StandardNormal.Quantile(0));
        Assert.Equal(double.PositiveInfinity, StandardNormal.Quantile(1));
        // The 97.5th percentile every statistics table prints.
        Assert.Equal(1.959963984540054, StandardNormal.Quantile(0.975), 14);
        Assert.Equal(-StandardNormal.Quantile(0.3), StandardNormal.Quantile(0.7), 15);
    }

    [Fact]
    public void CdfInvertsQuantile()
    {
        foreach (var p in new[] { 1e-15, 1e-8, 0.01, 0.3, 0.5, 0.8, 0.99 })
        {
            CdfAndQuantileTests.AssertRelative(p, StandardNormal.Cdf(StandardNormal.Quantile(p)), 1e-13);
            CdfAndQuantileTests.AssertRelative(p, StandardNormal.UpperTail(-StandardNormal.Quantile(p)), 1e-13);
        }
    }
}
