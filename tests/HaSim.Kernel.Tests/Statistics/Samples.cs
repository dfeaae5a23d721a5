using HaSim.Kernel.Statistics;

namespace HaSim.Kernel.Tests.Statistics;

/// <summary>Reproducible test data (SimRandom with fixed seeds) and exact reference statistics.</summary>
internal static class Samples
{
    public const int Size = 50_000;

    /// <summary>The quantiles the requirements name.</summary>
    public static readonly double[] RequiredQuantiles = [0, 0.001, 0.5, 0.9, 0.99, 0.999, 1];

    public static readonly string[] Names =
    [
        "uniform-0-to-1e12",
        "uniform-full-range",
        "uniform-small-integers",
        "exponential-mean-1ms",
        "lognormal-median-0.8ms-sigma-2",
        "pareto-alpha-1.1",
        "log-uniform-1ns-to-2h",
        "bimodal-1ms-and-10s",
        "constant",
        "single-value",
        "two-values",
        "two-values-uneven",
        "extremes",
    ];

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var name in Names)
        {
            data.Add(name);
        }
        return data;
    }

    public static long[] Generate(string name)
    {
        var rng = new SimRandom(20240601, "histogram-" + name);
        return name switch
        {
            "uniform-0-to-1e12" => Draw(Size, () => (long)(rng.NextDouble() * 1e12)),
            "uniform-full-range" => Draw(Size, () => (long)(rng.NextUInt64() >> 1)),
            "uniform-small-integers" => Draw(Size, () => rng.NextInt(300)),
            "exponential-mean-1ms" => Draw(Size, () => Round(-1e6 * Math.Log(rng.NextOpenUnit()))),
            "lognormal-median-0.8ms-sigma-2" => Draw(Size, () => Round(Math.Exp(Math.Log(8e5) + 2 * Normal(rng)))),
            "pareto-alpha-1.1" => Draw(Size, () => Round(2e5 * Math.Pow(rng.NextOpenUnit(), -1 / 1.1))),
            "log-uniform-1ns-to-2h" => Draw(Size, () => Round(Math.Exp(rng.NextDouble() * Math.Log(7.2e12)))),
            "bimodal-1ms-and-10s" => Draw(Size, () => rng.NextBernoulli(0.99)
                ? Round(1e6 * (0.5 + rng.NextDouble()))
                : Round(1e10 * (0.5 + rng.NextDouble()))),
            "constant" => Draw(Size, () => 1_234_567),
            "single-value" => [987_654_321],
            "two-values" => [3, 9_000_000_000],
            "two-values-uneven" => Draw(Size, () => rng.NextBernoulli(0.995) ? 250_000 : 3_600_000_000_000),
            "extremes" => Draw(Size, () => rng.NextInt(3) switch { 0 => 0, 1 => 1, _ => long.MaxValue }),
            _ => throw new ArgumentException("unknown sample " + name, nameof(name)),
        };
    }

    /// <summary>The nearest-rank quantile of a sorted sample: the ⌈q·n⌉-th smallest (rank clamped to [1, n]).</summary>
    public static long ExactQuantile(long[] sorted, double q)
    {
        var n = sorted.Length;
        var rank = Math.Clamp((long)Math.Ceiling(q * n), 1, n);
        return sorted[rank - 1];
    }

    /// <summary>The exact empirical CDF of a sorted sample: the fraction of values ≤ x.</summary>
    public static double ExactCdf(long[] sorted, long x) => (double)CountAtOrBelow(sorted, x) / sorted.Length;

    public static long CountAtOrBelow(long[] sorted, long x)
    {
        // Upper bound: the first index whose value exceeds x.
        var (lo, hi) = (0, sorted.Length);
        while (lo < hi)
        {
            var mid = lo + (hi - lo) / 2;
            if (sorted[mid] <= x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    public static double RelativeError(long estimate, long exact) =>
        exact == 0 ? (estimate == 0 ? 0 : double.PositiveInfinity) : Math.Abs((double)estimate - exact) / exact;

    public static LogLinearHistogram Histogram(long[] values, int subBucketBits = LogLinearHistogram.DefaultSubBucketBits)
    {
        var histogram = new LogLinearHistogram(subBucketBits);
        foreach (var value in values)
        {
            histogram.Record(value);
        }
        return histogram;
    }

    public static long[] Sorted(long[] values)
    {
        var copy = (long[])values.Clone();
        Array.Sort(copy);
        return copy;
    }

    private static long[] Draw(int n, Func<long> next)
    {
        var values = new long[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = next();
        }
        return values;
    }

    private static long Round(double x) => x >= 9.2e18 ? long.MaxValue : (long)Math.Round(x);

    // Box-Muller; one of the pair is enough here.
    private static double Normal(SimRandom rng) =>
        Math.Sqrt(-2 * Math.Log(rng.NextOpenUnit())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
