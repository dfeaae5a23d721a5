namespace HaSim.Kernel.Tests.Distributions;

/// <summary>The one-sample Kolmogorov-Smirnov test (MathNet has none).</summary>
internal static class KolmogorovSmirnov
{
    /// <summary>
    /// The asymptotic critical value of sqrt(n) D at significance 0.001: sqrt(-ln(0.001 / 2) / 2).
    /// A correct sampler exceeds it with probability 0.1%, and seeds are fixed, so a pass or a fail
    /// is the same on every run; a broken sampler (wrong parameter, wrong branch, a tail cut off)
    /// typically gives D ten to a hundred times larger at n = 100,000.
    /// </summary>
    public const double CriticalCoefficientAlpha001 = 1.9495;

    public static double CriticalValue(int n) => CriticalCoefficientAlpha001 / Math.Sqrt(n);

    /// <summary>
    /// D = sup |F_n(x) - F(x)| between the empirical CDF of <paramref name="samples"/> and the
    /// continuous CDF <paramref name="cdf"/>. The supremum is reached at a sample, just before or at
    /// its step of the empirical CDF; this also holds with tied samples, because the first of a run
    /// of ties sees the lower side of the step and the last one the upper side.
    /// </summary>
    public static double Statistic(IReadOnlyCollection<double> samples, Func<double, double> cdf)
    {
        var sorted = samples.ToArray();
        Array.Sort(sorted);
        double n = sorted.Length;
        var d = 0.0;
        for (var i = 0; i < sorted.Length; i++)
        {
            var f = cdf(sorted[i]);
            d = Math.Max(d, Math.Max(f - i / n, (i + 1) / n - f));
        }
        return d;
    }
}
