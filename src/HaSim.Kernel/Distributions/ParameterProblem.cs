using HaSim.Primitives;

namespace HaSim.Kernel.Distributions;

/// <summary>
/// A parameter value a distribution rejects. Each kind's <c>Check</c> method is the single source
/// of its rules: its constructor throws on a problem, and the parser reports it at the column of
/// <see cref="Parameter"/> (the name used in the text form; <see cref="Entry"/> is the 0-based
/// entry of a list kind such as mix or empirical).
/// </summary>
internal sealed record ParameterProblem(string Parameter, string Reason, int Entry = 0)
{
    public static void ThrowIfAny(ParameterProblem? problem)
    {
        if (problem is not null)
        {
            throw new ArgumentOutOfRangeException(problem.Parameter, problem.Reason);
        }
    }

    public static ParameterProblem? Positive(string name, Duration value) =>
        value.Nanoseconds > 0 ? null : new(name, $"{name} must be positive, got {value}");

    public static ParameterProblem? NotNegative(string name, Duration value) =>
        value.IsNegative ? new(name, $"{name} must not be negative, got {value}") : null;

    public static ParameterProblem? Positive(string name, double value) =>
        value > 0 && double.IsFinite(value)
            ? null
            : new(name, $"{name} must be a positive finite number, got {LatencyDistribution.FormatNumber(value)}");

    public static ParameterProblem? Finite(string name, double value) =>
        double.IsFinite(value) ? null : new(name, $"{name} must be a finite number, got {LatencyDistribution.FormatNumber(value)}");
}
