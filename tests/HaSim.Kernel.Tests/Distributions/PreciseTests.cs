using HaSim.Kernel.Distributions;

namespace HaSim.Kernel.Tests.Distributions;

public class PreciseTests
{
    [Fact]
    public void ExpMinusOneIsPreciseNearZeroAndExactAtTheEnds()
    {
        foreach (var x in new[] { 1e-300, -1e-12, 1e-6, -0.001, 0.0826, -0.0826 })
        {
            // The Taylor series to x^12 (the rest is below 1e-22 relative here); a few ulps apart.
            var (series, term) = (0.0, 1.0);
            for (var k = 1; k <= 12; k++)
            {
                term *= x / k;
                series += term;
            }
            CdfAndQuantileTests.AssertRelative(series, Precise.ExpMinusOne(x), 1e-15);
        }
        CdfAndQuantileTests.AssertRelative(Math.Exp(3) - 1, Precise.ExpMinusOne(3), 1e-15);
        Assert.Equal(-1, Precise.ExpMinusOne(double.NegativeInfinity));
        Assert.Equal(double.PositiveInfinity, Precise.ExpMinusOne(double.PositiveInfinity));
    }
}
