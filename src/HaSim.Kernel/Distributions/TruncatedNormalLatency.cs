using HaSim.Primitives;

namespace HaSim.Kernel.Distributions;

/// <summary>
/// A normal distribution conditioned on x &gt;= 0, since a delay cannot be negative:
/// <c>normal(mean=1ms, sd=0.2ms)</c>. <see cref="Mean"/> and <see cref="StandardDeviation"/> are
/// those of the untruncated normal; <see cref="LatencyDistribution.MeanNanoseconds"/>, the CDF and
/// the quantile are those of the truncated one. Truncating rather than clamping at zero keeps the
/// distribution continuous (no atom of zero delays).
/// </summary>
public sealed record TruncatedNormalLatency : LatencyDistribution
{
    private readonly double _mu;
    private readonly double _sd;

    // P(X < 0) and P(X >= 0) under the untruncated normal; both are computed directly (not as
    // 1 - the other) so that neither loses precision.
    private readonly double _cutMass;
    private readonly double _keptMass;

    /// <param name="mean">The mean of the untruncated normal.</param>
    /// <param name="sd">The standard deviation of the untruncated normal.</param>
    public TruncatedNormalLatency(Duration mean, Duration sd)
    {
        ParameterProblem.ThrowIfAny(Check(mean, sd));
        Mean = mean;
        StandardDeviation = sd;
        _mu = mean.Nanoseconds;
        _sd = sd.Nanoseconds;
        _cutMass = StandardNormal.Cdf(-_mu / _sd);
        _keptMass = StandardNormal.UpperTail(-_mu / _sd);
    }

    public Duration Mean { get; }
    public Duration StandardDeviation { get; }

    /// <summary>mu + sd * phi(a) / (1 - Phi(a)) with a = -mu / sd, the mean of a normal truncated below at 0.</summary>
    public override double MeanNanoseconds
    {
        get
        {
            var a = -_mu / _sd;
            var density = Math.Exp(-0.5 * a * a) / Math.Sqrt(2 * Math.PI);
            return _mu + _sd * density / _keptMass;
        }
    }

    public override Duration Sample(SimRandom rng) => SampleByInversion(rng);

    public override double Cdf(double nanoseconds)
    {
        if (nanoseconds <= 0)
        {
            return 0;
        }
        var z = (nanoseconds - _mu) / _sd;
        // Below the mean, the lower-tail form; above it, the upper-tail form: each side avoids
        // subtracting two numbers close to one.
        return z < 0
            ? (StandardNormal.Cdf(z) - _cutMass) / _keptMass
            : 1 - StandardNormal.UpperTail(z) / _keptMass;
    }

    /// <summary>
    /// Inverts the truncated CDF through the upper tail: the untruncated normal's P(X &gt; x) is
    /// (1 - p) * P(X &gt;= 0), and x = mu - sd * Phi^-1 of that. Working with the small upper-tail
    /// probability keeps the long right tail (the one latencies care about) at full precision.
    /// </summary>
    internal override double QuantileOf(double p) =>
        Math.Max(0, _mu - _sd * StandardNormal.Quantile((1 - p) * _keptMass));

    public override string ToString() => $"normal(mean={Mean}, sd={StandardDeviation})";

    internal static ParameterProblem? Check(Duration mean, Duration sd) =>
        ParameterProblem.NotNegative("mean", mean)
        ?? (sd.Nanoseconds > 0 ? null : new ParameterProblem("sd", $"sd must be positive (use const(...) for a fixed delay), got {sd}"));
}
