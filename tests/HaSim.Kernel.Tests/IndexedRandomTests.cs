using System.Runtime.Intrinsics;
using HaSim.Kernel;

namespace HaSim.Kernel.Tests;

public class IndexedRandomTests
{
    // Golden values pin the scheme: client retry jitter comes from it, so a change here changes
    // every failover run's trace hash. Change them only on purpose.
    [Fact]
    public void GoldenValues()
    {
        var stream = new IndexedRandom(42, "clients.retry");
        Assert.Equal(GoldenSeed42Retry, new[] { stream.UInt64At(1, 1), stream.UInt64At(1, 2), stream.UInt64At(2, 1) });
    }

    private static readonly ulong[] GoldenSeed42Retry = [18282271078805996361, 16682132316619163102, 6099549809913916996];

    [Fact]
    public void ARowReadsTheSameNumbersAsTheStream()
    {
        var stream = new IndexedRandom(42, "clients.retry");
        foreach (var a in new long[] { 0, 1, 2, 977, long.MaxValue, -5 })
        {
            var row = stream.Row(a);
            for (long b = -2; b < 40; b++)
            {
                Assert.Equal(stream.UInt64At(a, b), row.UInt64At(b));
                Assert.Equal(stream.UnitAt(a, b), row.UnitAt(b));
            }
        }
        Assert.Equal(GoldenSeed42Retry[1], stream.Row(1).UInt64At(2));
    }

    [Fact]
    public void FourUnitsAtOnceAreTheUnitsOneAtATime()
    {
        var stream = new IndexedRandom(42, "clients.retry");
        foreach (var a in new long[] { 0, 1, 977, long.MaxValue, -5 })
        {
            var row = stream.Row(a);
            foreach (var b in Enumerable.Range(-3, 60).Select(i => (long)i).Concat([long.MaxValue - 1, long.MinValue, 1L << 40]))
            {
                var units = row.UnitsAt(b);
                for (var lane = 0; lane < 4; lane++)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(row.UnitAt(unchecked(b + lane))), BitConverter.DoubleToInt64Bits(units.GetElement(lane)));
                }
            }
        }
    }

    [Fact]
    public void AValueDependsOnlyOnTheStreamAndTheIndexNotOnTheOrderOfReads()
    {
        var forwards = new IndexedRandom(7, "s");
        var first = Enumerable.Range(0, 50).Select(i => forwards.UnitAt(i, i % 3)).ToArray();
        var backwards = new IndexedRandom(7, "s");
        var reversed = Enumerable.Range(0, 50).Reverse().Select(i => backwards.UnitAt(i, i % 3)).Reverse().ToArray();
        Assert.Equal(first, reversed);
    }

    [Fact]
    public void StreamsSeedsAndIndicesGiveDifferentNumbers()
    {
        var a = new IndexedRandom(7, "s");
        Assert.NotEqual(a.UInt64At(1, 2), new IndexedRandom(7, "t").UInt64At(1, 2));
        Assert.NotEqual(a.UInt64At(1, 2), new IndexedRandom(8, "s").UInt64At(1, 2));
        Assert.NotEqual(a.UInt64At(1, 2), a.UInt64At(2, 1));
        Assert.NotEqual(a.UInt64At(0, 0), a.UInt64At(0, 1));
    }

    /// <summary>
    /// Chi-square over 20 equal bins of 200,000 numbers read along both indices as a retry chain
    /// reads them (writes 1..20,000, attempts 1..10). With 19 degrees of freedom, 43.8 is the
    /// 99.9th percentile: a uniform stream fails this one time in a thousand, and the fixed seed
    /// makes the outcome deterministic.
    /// </summary>
    [Fact]
    public void ValuesAreUniformInTheUnitInterval()
    {
        var stream = new IndexedRandom(2026, "clients.retry");
        const int Bins = 20;
        var counts = new int[Bins];
        var n = 0;
        for (long write = 1; write <= 20_000; write++)
        {
            for (long attempt = 1; attempt <= 10; attempt++)
            {
                var u = stream.UnitAt(write, attempt);
                Assert.InRange(u, 0.0, 1.0 - double.Epsilon);
                counts[(int)(u * Bins)]++;
                n++;
            }
        }
        var expected = n / (double)Bins;
        var chiSquare = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chiSquare < 43.8, $"chi-square {chiSquare:F1} over {Bins} bins");
    }
}
