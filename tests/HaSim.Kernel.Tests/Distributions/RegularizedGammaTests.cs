using HaSim.Kernel.Distributions;
using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using Xunit.Abstractions;

namespace HaSim.Kernel.Tests.Distributions;

public class RegularizedGammaTests(ITestOutputHelper output)
{
    /// <summary>The shapes GammaLatency accepts, 0.01 to 10,000, from end to end.</summary>
    private static readonly double[] Shapes = [0.01, 0.1, 0.5, 1, 2, 10, 1000, 1e4];

    private static readonly double[] Probabilities = [1e-12, 1e-6, 0.01, 0.3, 0.5, 0.7, 0.99, 1 - 1e-9];

    [Fact]
    public void LowerMatchesMathNetWhereMathNetIsExact()
    {
        foreach (var a in Shapes)
        {
            foreach (var x in new[] { 1e-6 * a, 0.5 * a, a, 2 * a + 10 })
            {
                CdfAndQuantileTests.AssertRelative(Gamma.CDF(a, 1, x), RegularizedGamma.Lower(a, x), 1e-13);
            }
        }
    }

    /// <summary>Below 1e-15 MathNet returns 0; the reference here is the power series, summed in full.</summary>
    [Fact]
    public void LowerIsRightForTinyArguments()
    {
        foreach (var a in new[] { 0.01, 0.1, 0.5, 2 })
        {
            foreach (var x in new[] { 1e-300, 1e-20, 1e-9 })
            {
                var (sum, term) = (1.0, 1.0);
                for (var k = 1; k <= 10; k++)
                {
                    term *= x / (a + k);
                    sum += term;
                }
                var series = Math.Exp(a * Math.Log(x) - x - SpecialFunctions.GammaLn(a + 1)) * sum;
                CdfAndQuantileTests.AssertRelative(series, RegularizedGamma.Lower(a, x), 1e-13);
            }
        }
    }

    [Fact]
    public void LowerInverseInvertsLower()
    {
        var worst = 0.0;
        foreach (var a in Shapes)
        {
            // Skip the quantiles that underflow, (p Gamma(a + 1))^(1/a) to leading order: see the last test.
            foreach (var p in Probabilities.Where(p => (Math.Log(p) + SpecialFunctions.GammaLn(a + 1)) / a > -700))
            {
                var x = RegularizedGamma.LowerInverse(a, p);
                // Compare in the tail p lies in, where the probability has full relative precision
                // (MathNet's upper function is 1 below x = 1e-15, where 1 - P loses nothing anyway).
                var upper = x < 1e-15 ? 1 - RegularizedGamma.Lower(a, x) : SpecialFunctions.GammaUpperRegularized(a, x);
                var tail = Math.Min(p, 1 - p);
                var error = Math.Abs((p <= 0.5 ? RegularizedGamma.Lower(a, x) : upper) - tail) / tail;
                // A relative error e in x moves the tail probability by e times this; for large
                // shapes it is in the thousands, so judge x rather than P.
                var condition = Math.Max(1, x * Gamma.PDF(a, 1, x) / tail);
                worst = Math.Max(worst, error / condition);
                Assert.True(error / condition < 1e-13, $"a={a}, p={p}: x={x}, relative error {error} in the tail probability");
            }
        }
        output.WriteLine($"worst relative error of LowerInverse(a, p), as seen through P: {worst:E1}");
    }

    [Fact]
    public void LowerInverseMatchesClosedForms()
    {
        foreach (var p in Probabilities)
        {
            // Shape 1 is the exponential: x = -ln(1 - p).
            CdfAndQuantileTests.AssertRelative(-SpecialFunctions.Log1p(-p), RegularizedGamma.LowerInverse(1, p), 1e-13);
            // Shape 1/2: P(1/2, x) = erf(sqrt(x)), so x = erfinv(p)^2.
            var erfInverse = SpecialFunctions.ErfInv(p);
            CdfAndQuantileTests.AssertRelative(erfInverse * erfInverse, RegularizedGamma.LowerInverse(0.5, p), 1e-12);
        }
    }

    [Fact]
    public void LowerInverseUnderflowsToZeroOnlyWhereTheAnswerDoes()
    {
        // The quantiles of P(0.01, x) = 1e-6 and 1e-12 are about e^-1382 and e^-2763: below the
        // smallest double.
        Assert.Equal(0, RegularizedGamma.LowerInverse(0.01, 1e-6));
        Assert.Equal(0, RegularizedGamma.LowerInverse(0.01, 1e-12));
        Assert.True(RegularizedGamma.LowerInverse(0.01, 0.5) > 0);
    }
}
