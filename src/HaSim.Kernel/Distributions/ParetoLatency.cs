using HaSim.Primitives;

namespace HaSim.Kernel.Distributions;

/// <summary>
/// Pareto (type I) with minimum <see cref="Xm"/> and tail index <see cref="Alpha"/>:
/// <c>pareto(xm=0.2ms, alpha=10)</c>. P(X &gt; x) = (xm / x)^alpha for x &gt;= xm. The mean is
/// infinite for alpha &lt;= 1; samples far in the tail saturate at <see cref="Duration.MaxValue"/>.
/// </summary>
public sealed record ParetoLatency : LatencyDistribution
{
    public ParetoLatency(Duration xm, double alpha)
    {
        ParameterProblem.ThrowIfAny(Check(xm, alpha));
        Xm = xm;
        Alpha = alpha;
    }

    public Duration Xm { get; }
    public double Alpha { get; }

    public override double MeanNanoseconds =>
        Alpha > 1 ? Alpha * Xm.Nanoseconds / (Alpha - 1) : double.PositiveInfinity;

    public override Duration Sample(SimRandom rng) => SampleByInversion(rng);

    // 1 - (xm/x)^alpha written as -expm1(alpha ln(xm/x)): exact near xm, where the CDF is small.
    public override double Cdf(double nanoseconds) =>
        nanoseconds <= Xm.Nanoseconds ? 0
        : -Precise.ExpMinusOne(Alpha * Math.Log(Xm.Nanoseconds / nanoseconds));

    internal override double QuantileOf(double p) => Xm.Nanoseconds * Math.Pow(1 - p, -1 / Alpha);

    public override string ToString() => $"pareto(xm={Xm}, alpha={FormatNumber(Alpha)})";

    internal static ParameterProblem? Check(Duration xm, double alpha) =>
        ParameterProblem.Positive("xm", xm) ?? ParameterProblem.Positive("alpha", alpha);
}
