using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace HaSim.Experiments.Sweeps;

/// <summary>
/// One metric of one configuration across its seeds: mean with a Student-t 95% confidence
/// interval, standard deviation, percentiles (R7, linear interpolation: numpy's and pandas'
/// default), and a distribution-free 95% confidence interval for the median from the binomial
/// order statistics. Intervals need enough seeds: the mean's two, the median's six.
/// </summary>
public sealed record MetricStatistics(int N, double Mean, double? Sd, double? MeanLow, double? MeanHigh,
    double Min, double P50, double P90, double P99, double Max, double? MedianLow, double? MedianHigh)
{
    public static MetricStatistics Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("no values", nameof(values));
        }
        var sorted = values.Order().ToArray();
        var n = sorted.Length;
        var mean = sorted.Average();
        double? sd = null, low = null, high = null;
        if (n >= 2)
        {
            var s = ArrayStatistics.StandardDeviation(sorted);
            sd = s;
            var half = StudentT.InvCDF(0, 1, n - 1, 0.975) * s / Math.Sqrt(n);
            (low, high) = (mean - half, mean + half);
        }
        var (medianLow, medianHigh) = MedianInterval(sorted);
        return new MetricStatistics(n, mean, sd, low, high, sorted[0],
            Quantile(sorted, 0.5), Quantile(sorted, 0.9), Quantile(sorted, 0.99), sorted[^1], medianLow, medianHigh);
    }

    private static double Quantile(double[] sorted, double q) =>
        SortedArrayStatistics.QuantileCustom(sorted, q, QuantileDefinition.R7);

    /// <summary>
    /// The order statistics x(l) and x(u) with l = k + 1, u = n - k for the largest k such that
    /// P(k &lt; B &lt; n - k) &gt;= 0.95, B ~ Binomial(n, 1/2): the interval covers the median
    /// with at least 95% probability whatever the distribution.
    /// </summary>
    private static (double?, double?) MedianInterval(double[] sorted)
    {
        var n = sorted.Length;
        double? low = null, high = null;
        for (var k = 0; k < n / 2; k++)
        {
            // P(k < B < n - k) = CDF(n - k - 1) - CDF(k)
            var coverage = Binomial.CDF(0.5, n, n - k - 1) - Binomial.CDF(0.5, n, k);
            if (coverage < 0.95)
            {
                break;
            }
            (low, high) = (sorted[k], sorted[n - k - 1]);
        }
        return (low, high);
    }
}
