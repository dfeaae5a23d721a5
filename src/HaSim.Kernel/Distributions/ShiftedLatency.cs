using HaSim.Primitives;

namespace HaSim.Kernel.Distributions;

/// <summary>
/// A fixed minimum plus a random part: <c>shifted(min=1ms, exp(mean=0.2ms))</c>, such as
/// propagation delay plus queueing.
/// </summary>
public sealed record ShiftedLatency : LatencyDistribution
{
    public ShiftedLatency(Duration min, LatencyDistribution inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ParameterProblem.ThrowIfAny(Check(min));
        Min = min;
        Inner = inner;
    }

    public Duration Min { get; }
    public LatencyDistribution Inner { get; }

    public override double MeanNanoseconds => Min.Nanoseconds + Inner.MeanNanoseconds;

    public override Duration Sample(SimRandom rng)
    {
        var inner = Inner.Sample(rng).Nanoseconds;
        // A heavy-tailed inner sample may already be saturated at Duration.MaxValue: saturate
        // rather than overflow.
        return inner > long.MaxValue - Min.Nanoseconds ? Duration.MaxValue : new Duration(Min.Nanoseconds + inner);
    }

    public override double Cdf(double nanoseconds) => Inner.Cdf(nanoseconds - Min.Nanoseconds);

    internal override double QuantileOf(double p) => Min.Nanoseconds + Inner.QuantileOf(p);

    public override string ToString() => $"shifted(min={Min}, {Inner})";

    internal static ParameterProblem? Check(Duration min) => ParameterProblem.NotNegative("min", min);
}
