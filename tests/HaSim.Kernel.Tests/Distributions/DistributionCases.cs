using HaSim.Kernel.Distributions;
using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Interpolation;
using MathNet.Numerics.RootFinding;

namespace HaSim.Kernel.Tests.Distributions;

/// <summary>
/// One distribution in canonical text form, with its CDF, quantile and mean from a source
/// independent of HaSim's own code: MathNet's distributions (with the truncation, shift and
/// mixture applied by hand here), or MathNet's interpolation for the quantile table.
/// </summary>
internal sealed record DistributionCase(
    string Text,
    Func<double, double> ReferenceCdf,
    Func<double, double> ReferenceQuantile,
    double ReferenceMean)
{
    public LatencyDistribution Parse() => LatencyDistribution.Parse(Text);
}

internal static class DistributionCases
{
    private const double Ms = 1e6;

    /// <summary>Every continuous case, by name (theory data are names: xunit can show and re-run them).</summary>
    public static readonly IReadOnlyDictionary<string, DistributionCase> All = new SortedDictionary<string, DistributionCase>(StringComparer.Ordinal)
    {
        ["uniform"] = Uniform(0.5 * Ms, 1.5 * Ms, "uniform(min=500us, max=1.5ms)"),
        ["exp"] = Exponential(1 * Ms, "exp(mean=1ms)"),
        // P(X < 0) = Phi(-5), about 3e-7: truncation hardly matters, the bulk is checked.
        ["normal"] = TruncatedNormal(1 * Ms, 0.2 * Ms, "normal(mean=1ms, sd=200us)"),
        // P(X < 0) = Phi(-0.5), about 31%: here the truncation is most of the shape.
        ["normal-truncated"] = TruncatedNormal(0.1 * Ms, 0.2 * Ms, "normal(mean=100us, sd=200us)"),
        ["lognormal-median-p99"] = LogNormalCase(Math.Log(0.8 * Ms), Math.Log(2.0 / 0.8) / Normal.InvCDF(0, 1, 0.99), "lognormal(median=800us, p99=2ms)"),
        ["lognormal-median-sigma"] = LogNormalCase(Math.Log(0.8 * Ms), 0.5, "lognormal(median=800us, sigma=0.5)"),
        // mu is the mean of ln(seconds): the reference works in seconds, with no conversion to share.
        ["lognormal-mu-sigma"] = new(
            "lognormal(mu=-7.13, sigma=0.5)",
            x => x <= 0 ? 0 : LogNormal.CDF(-7.13, 0.5, x / 1e9),
            p => LogNormal.InvCDF(-7.13, 0.5, p) * 1e9,
            new LogNormal(-7.13, 0.5).Mean * 1e9),
        ["gamma-shape-scale"] = GammaCase(2, 0.5 * Ms, "gamma(shape=2, scale=500us)"),
        // Shape below 1 takes the sampler's boost branch.
        ["gamma-shape-mean"] = GammaCase(0.5, 1 * Ms / 0.5, "gamma(shape=0.5, mean=1ms)"),
        ["pareto"] = ParetoCase(0.2 * Ms, 10, "pareto(xm=200us, alpha=10)"),
        ["shifted"] = Shift(1 * Ms, Exponential(0.2 * Ms, ""), "shifted(min=1ms, exp(mean=200us))"),
        ["mix"] = Mixture(
            "mix(0.9: pareto(xm=200us, alpha=10), 0.1: exp(mean=600us))",
            (0.9, ParetoCase(0.2 * Ms, 10, "")),
            (0.1, Exponential(0.6 * Ms, ""))),
        // Weights 3 and 1 normalise to 0.75 and 0.25; the inner 1 and 1 to 0.5 each.
        ["mix-nested"] = Mixture(
            "mix(3: mix(1: exp(mean=500us), 1: lognormal(median=2ms, sigma=0.3)), 1: shifted(min=5ms, uniform(min=0s, max=1ms)))",
            (0.75 * 0.5, Exponential(0.5 * Ms, "")),
            (0.75 * 0.5, LogNormalCase(Math.Log(2 * Ms), 0.3, "")),
            (0.25, Shift(5 * Ms, Uniform(0, 1 * Ms, ""), ""))),
        ["empirical"] = Empirical("empirical(0: 100us, 0.5: 800us, 0.99: 2ms, 1: 5ms)", [0, 0.5, 0.99, 1], [0.1 * Ms, 0.8 * Ms, 2 * Ms, 5 * Ms]),
    };

    public static TheoryData<string> Names => [.. All.Keys];

    private static DistributionCase Uniform(double min, double max, string text) => new(
        text, x => ContinuousUniform.CDF(min, max, x), p => ContinuousUniform.InvCDF(min, max, p), (min + max) / 2);

    private static DistributionCase Exponential(double mean, string text) => new(
        text,
        x => x <= 0 ? 0 : MathNet.Numerics.Distributions.Exponential.CDF(1 / mean, x),
        p => MathNet.Numerics.Distributions.Exponential.InvCDF(1 / mean, p),
        new MathNet.Numerics.Distributions.Exponential(1 / mean).Mean);

    /// <summary>A normal conditioned on x &gt;= 0, from MathNet's untruncated normal.</summary>
    private static DistributionCase TruncatedNormal(double mu, double sd, string text)
    {
        var cut = Normal.CDF(mu, sd, 0);
        return new(
            text,
            x => x <= 0 ? 0 : (Normal.CDF(mu, sd, x) - cut) / (1 - cut),
            p => Normal.InvCDF(mu, sd, cut + p * (1 - cut)),
            Integrate.DoubleExponential(x => x * Normal.PDF(mu, sd, x), 0, mu + 40 * sd, 1e-6) / (1 - cut));
    }

    private static DistributionCase LogNormalCase(double mu, double sigma, string text) => new(
        text, x => x <= 0 ? 0 : LogNormal.CDF(mu, sigma, x), p => LogNormal.InvCDF(mu, sigma, p), new LogNormal(mu, sigma).Mean);

    /// <remarks>
    /// MathNet's Gamma.InvCDF is about 2e-9 relative off at p = 1e-6, so the reference quantile
    /// polishes it with Brent's method on MathNet's (accurate) Gamma.CDF.
    /// </remarks>
    private static DistributionCase GammaCase(double shape, double scale, string text)
    {
        double Cdf(double x) => x <= 0 ? 0 : Gamma.CDF(shape, 1 / scale, x);
        double Quantile(double p)
        {
            var rough = Gamma.InvCDF(shape, 1 / scale, p);
            return Brent.FindRoot(x => (Cdf(x) - p) / p, rough * (1 - 1e-6), rough * (1 + 1e-6), 1e-14, 1000);
        }
        return new(text, Cdf, Quantile, new Gamma(shape, 1 / scale).Mean);
    }

    private static DistributionCase ParetoCase(double xm, double alpha, string text) => new(
        text, x => x <= xm ? 0 : Pareto.CDF(xm, alpha, x), p => Pareto.InvCDF(xm, alpha, p), new Pareto(xm, alpha).Mean);

    private static DistributionCase Shift(double min, DistributionCase inner, string text) => new(
        text, x => inner.ReferenceCdf(x - min), p => min + inner.ReferenceQuantile(p), min + inner.ReferenceMean);

    /// <summary>
    /// A mixture of references; its quantile is found with MathNet's Brent root finder, on the
    /// CDF error relative to p so that small probabilities are solved as precisely as large ones.
    /// </summary>
    private static DistributionCase Mixture(string text, params (double Weight, DistributionCase Case)[] components)
    {
        double Cdf(double x) => components.Sum(c => c.Weight * c.Case.ReferenceCdf(x));
        double Quantile(double p)
        {
            var low = components.Min(c => c.Case.ReferenceQuantile(p));
            var high = components.Max(c => c.Case.ReferenceQuantile(p));
            return low == high ? low : Brent.FindRoot(x => (Cdf(x) - p) / p, low, high, 1e-14, 1000);
        }
        return new(text, Cdf, Quantile, components.Sum(c => c.Weight * c.Case.ReferenceMean));
    }

    /// <summary>A quantile table through MathNet's linear splines: p to x for the quantile, x to p for the CDF.</summary>
    private static DistributionCase Empirical(string text, double[] probabilities, double[] values)
    {
        var quantile = LinearSpline.InterpolateSorted(probabilities, values);
        var cdf = LinearSpline.InterpolateSorted(values, probabilities);
        return new(
            text,
            x => x <= values[0] ? 0 : x >= values[^1] ? 1 : cdf.Interpolate(x),
            quantile.Interpolate,
            quantile.Integrate(0, 1));
    }
}
