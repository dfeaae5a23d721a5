using HaSim.Primitives;

namespace HaSim.Kernel.Distributions;

/// <summary>A fixed delay: <c>const(1ms)</c>, or just <c>1ms</c>. Sampling draws nothing from the stream.</summary>
public sealed record ConstantLatency : LatencyDistribution
{
    public ConstantLatency(Duration value)
    {
        ParameterProblem.ThrowIfAny(Check(value));
        Value = value;
    }

    public Duration Value { get; }

    public override double MeanNanoseconds => Value.Nanoseconds;

    public override Duration Sample(SimRandom rng) => Value;

    public override double Cdf(double nanoseconds) => nanoseconds >= Value.Nanoseconds ? 1 : 0;

    internal override double QuantileOf(double p) => Value.Nanoseconds;

    public override string ToString() => $"const({Value})";

    internal static ParameterProblem? Check(Duration value) => ParameterProblem.NotNegative("value", value);
}
