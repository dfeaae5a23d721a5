using HaSim.Primitives;

namespace HaSim.Kernel.Distributions;

/// <summary>
/// Uniform between <see cref="Min"/> and <see cref="Max"/>: <c>uniform(min=0.5ms, max=1.5ms)</c>.
/// min = max is allowed (a constant), so a sweep can take the jitter down to zero.
/// </summary>
public sealed record UniformLatency : LatencyDistribution
{
    public UniformLatency(Duration min, Duration max)
    {
        ParameterProblem.ThrowIfAny(Check(min, max));
        Min = min;
        Max = max;
    }

    public Duration Min { get; }
    public Duration Max { get; }

    private double Width => (double)Max.Nanoseconds - Min.Nanoseconds;

    public override double MeanNanoseconds => Min.Nanoseconds + Width / 2;

    public override Duration Sample(SimRandom rng) => SampleByInversion(rng);

    public override double Cdf(double nanoseconds) =>
        nanoseconds < Min.Nanoseconds ? 0
        : nanoseconds >= Max.Nanoseconds ? 1
        : (nanoseconds - Min.Nanoseconds) / Width;

    internal override double QuantileOf(double p) => Min.Nanoseconds + p * Width;

    public override string ToString() => $"uniform(min={Min}, max={Max})";

    internal static ParameterProblem? Check(Duration min, Duration max) =>
        ParameterProblem.NotNegative("min", min)
        ?? (max < min ? new ParameterProblem("max", $"max must not be less than min, got max={max} < min={min}") : null);
}
