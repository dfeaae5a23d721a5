using System.Runtime.Intrinsics.X86;
using HaSim.Kernel.Distributions;
using Xunit.Abstractions;

namespace HaSim.Kernel.Tests.Distributions;

public class TableExpTests(ITestOutputHelper output)
{
    /// <summary>
    /// Where libm runs glibc's FMA exp (Linux on x86-64 with AVX2 and FMA, as here and in CI),
    /// TableExp must give Math.Exp's bits for every argument: the samplers switched to it without
    /// moving a single trace hash. Ten million arguments: every exponent the fast path takes with
    /// random mantissas and signs, the range lognormal draws use (ln of nanoseconds, 0 to 40),
    /// and the edges of the fast path. One wrong constant, table entry or fused step shows up in
    /// thousands of them.
    /// </summary>
    [Fact]
    public void EqualsLibmBitForBitWhereLibmRunsTheSameAlgorithm()
    {
        if (!OperatingSystem.IsLinux() || !Fma.IsSupported || !Avx2.IsSupported)
        {
            output.WriteLine("not Linux on x86-64 with AVX2 and FMA: libm's exp may be another algorithm; the one-ulp test still applies");
            return;
        }
        var mismatches = 0;
        var first = "";
        foreach (var x in Arguments())
        {
            var (mine, libm) = (TableExp.Exp(x), Math.Exp(x));
            if (BitConverter.DoubleToUInt64Bits(mine) != BitConverter.DoubleToUInt64Bits(libm))
            {
                if (mismatches++ == 0)
                {
                    first = $"exp({x:R}): {mine:R}, libm {libm:R}";
                }
            }
        }
        Assert.True(mismatches == 0, $"{mismatches} arguments differ from libm; first {first}");
    }

    /// <summary>On any platform both are within an ulp of e^x, so within one ulp of each other (ordered bits differ by at most 1).</summary>
    [Fact]
    public void IsWithinOneUlpOfMathExp()
    {
        foreach (var x in Arguments().Take(1_000_000))
        {
            var (mine, libm) = (TableExp.Exp(x), Math.Exp(x));
            if (double.IsNaN(libm))
            {
                Assert.True(double.IsNaN(mine), $"exp({x:R}) should be NaN, got {mine:R}");
                continue;
            }
            var apart = Math.Abs(BitConverter.DoubleToInt64Bits(mine) - BitConverter.DoubleToInt64Bits(libm));
            Assert.True(apart <= 1, $"exp({x:R}): {mine:R} is {apart} ulps from libm's {libm:R}");
        }
    }

    [Fact]
    public void KnownValues()
    {
        Assert.Equal(1.0, TableExp.Exp(0.0));
        Assert.Equal(1.0, TableExp.Exp(-0.0));
        Assert.Equal(Math.E, TableExp.Exp(1.0));
        Assert.Equal(double.PositiveInfinity, TableExp.Exp(double.PositiveInfinity));
        Assert.Equal(0.0, TableExp.Exp(double.NegativeInfinity));
        Assert.True(double.IsNaN(TableExp.Exp(double.NaN)));
        Assert.Equal(1e6, TableExp.Exp(Math.Log(1e6)), 1e-9 * 1e6);
    }

    private static IEnumerable<double> Arguments()
    {
        var rng = new SimRandom(20261126, "table-exp/arguments");
        var tiny = Math.ScaleB(1.0, -54);
        double[] edges = [tiny, Math.BitDecrement(tiny), 512, Math.BitDecrement(512.0), 256, 1, 0.5, 1e-300, 700, 709.78, 709.79, -708.4, -745.1, -745.2, 40, 13.8];
        foreach (var edge in edges)
        {
            yield return edge;
            yield return -edge;
            yield return Math.BitIncrement(edge);
            yield return Math.BitDecrement(edge);
        }
        for (var i = 0; i < 5_000_000; i++)
        {
            // A random mantissa and sign under each exponent from 2^-54 to 2^9 (and one past each end).
            var exponent = 968UL + rng.NextUInt64Below(66);
            var bits = (rng.NextUInt64() & 0x800F_FFFF_FFFF_FFFFUL) | (exponent << 52);
            yield return BitConverter.UInt64BitsToDouble(bits);
        }
        for (var i = 0; i < 5_000_000; i++)
        {
            yield return 40 * rng.NextDouble(); // ln of a delay in nanoseconds
        }
    }
}
