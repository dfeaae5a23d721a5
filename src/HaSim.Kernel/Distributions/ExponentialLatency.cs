using HaSim.Primitives;
using MathNet.Numerics;

namespace HaSim.Kernel.Distributions;

/// <summary>Exponential with the given mean: <c>exp(mean=1ms)</c>.</summary>
public sealed record ExponentialLatency : LatencyDistribution
{
    public ExponentialLatency(Duration mean)
    {
        ParameterProblem.ThrowIfAny(Check(mean));
        Mean = mean;
    }

    public Duration Mean { get; }

    public override double MeanNanoseconds => Mean.Nanoseconds;

    public override Duration Sample(SimRandom rng) => SampleByInversion(rng);

    // -expm1 and log1p keep full relative precision for small probabilities, where 1 - exp(-x)
    // and log(1 - p) would cancel.
    public override double Cdf(double nanoseconds) =>
        nanoseconds <= 0 ? 0 : -Precise.ExpMinusOne(-nanoseconds / Mean.Nanoseconds);

    internal override double QuantileOf(double p) => Mean.Nanoseconds * -SpecialFunctions.Log1p(-p);

    public override string ToString() => $"exp(mean={Mean})";

    internal static ParameterProblem? Check(Duration mean) => ParameterProblem.Positive("mean", mean);
}
