using System.Collections.Immutable;
using HaSim.Primitives;

namespace HaSim.Kernel.Distributions;

/// <summary>One point of an <see cref="EmpiricalLatency"/> quantile table: Quantile(<paramref name="Probability"/>) = <paramref name="Value"/>.</summary>
public readonly record struct QuantilePoint(double Probability, Duration Value);

/// <summary>
/// A measured latency profile as a quantile table,
/// <c>empirical(0: 0.1ms, 0.5: 0.8ms, 0.99: 2ms, 1: 5ms)</c>, interpolated linearly between the
/// points: the quantile function is piecewise linear, so the CDF is too, and the density is
/// constant between neighbouring points. Probabilities increase strictly from exactly 0 to exactly
/// 1; values never decrease (equal neighbours make an atom: that delay has positive probability).
/// </summary>
public sealed record EmpiricalLatency : LatencyDistribution
{
    // The table as two sorted key arrays, for binary search in both directions.
    private readonly double[] _probabilities;
    private readonly double[] _values;

    public EmpiricalLatency(IEnumerable<QuantilePoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        Points = [.. points];
        ParameterProblem.ThrowIfAny(Check(Points));
        _probabilities = [.. Points.Select(point => point.Probability)];
        _values = [.. Points.Select(point => (double)point.Value.Nanoseconds)];
    }

    public ImmutableArray<QuantilePoint> Points { get; }

    /// <summary>Within a segment the delay is uniform between its ends: each adds its mass times its midpoint.</summary>
    public override double MeanNanoseconds
    {
        get
        {
            var mean = 0.0;
            for (var i = 0; i + 1 < Points.Length; i++)
            {
                var (a, b) = (Points[i], Points[i + 1]);
                mean += (b.Probability - a.Probability) * ((double)a.Value.Nanoseconds + b.Value.Nanoseconds) / 2;
            }
            return mean;
        }
    }

    public override Duration Sample(SimRandom rng) => SampleByInversion(rng);

    public override double Cdf(double nanoseconds)
    {
        if (nanoseconds < _values[0])
        {
            return 0;
        }
        if (nanoseconds >= _values[^1])
        {
            return 1;
        }
        // The last point at or below x: its successor is above x, so the segment has a width.
        var i = LastIndexAtOrBelow(_values, nanoseconds);
        return Interpolate(_values, _probabilities, i, nanoseconds);
    }

    internal override double QuantileOf(double p)
    {
        // p = 1 finds the last point; use the segment that ends there.
        var i = Math.Min(LastIndexAtOrBelow(_probabilities, p), _probabilities.Length - 2);
        return Interpolate(_probabilities, _values, i, p);
    }

    /// <summary>The value at <paramref name="x"/> of the line through points i and i + 1.</summary>
    private static double Interpolate(double[] xs, double[] ys, int i, double x) =>
        ys[i] + (ys[i + 1] - ys[i]) * (x - xs[i]) / (xs[i + 1] - xs[i]);

    /// <summary>Binary search for the last index whose key is &lt;= x (keys sorted, keys[0] &lt;= x).</summary>
    private static int LastIndexAtOrBelow(double[] keys, double x)
    {
        var (low, high) = (0, keys.Length - 1);
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (keys[middle] <= x)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }
        return low;
    }

    public override string ToString() =>
        "empirical(" + string.Join(", ", Points.Select(point => $"{FormatNumber(point.Probability)}: {point.Value}")) + ")";

    public bool Equals(EmpiricalLatency? other) => other is not null && Points.SequenceEqual(other.Points);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var point in Points)
        {
            hash.Add(point);
        }
        return hash.ToHashCode();
    }

    // The names under which Check reports a problem, so the parser can point at the entry's
    // probability or its duration.
    internal const string ProbabilityParameter = "probability";
    internal const string ValueParameter = "value";

    internal static ParameterProblem? Check(ImmutableArray<QuantilePoint> points)
    {
        if (points.Length < 2)
        {
            return new ParameterProblem(ProbabilityParameter, "empirical needs at least two points, one at probability 0 and one at 1");
        }
        if (points[0].Probability != 0)
        {
            return new ParameterProblem(ProbabilityParameter, $"the first probability must be exactly 0, got {FormatNumber(points[0].Probability)}");
        }
        if (points[0].Value.IsNegative)
        {
            return new ParameterProblem(ValueParameter, $"durations must not be negative, got {points[0].Value}");
        }
        for (var i = 1; i < points.Length; i++)
        {
            var (previous, point) = (points[i - 1], points[i]);
            if (!(point.Probability > previous.Probability))
            {
                return new ParameterProblem(ProbabilityParameter, $"probabilities must increase strictly, got {FormatNumber(point.Probability)} after {FormatNumber(previous.Probability)}", i);
            }
            if (point.Value < previous.Value)
            {
                return new ParameterProblem(ValueParameter, $"durations must not decrease, got {point.Value} after {previous.Value}", i);
            }
        }
        if (points[^1].Probability != 1)
        {
            return new ParameterProblem(ProbabilityParameter, $"the last probability must be exactly 1, got {FormatNumber(points[^1].Probability)}", points.Length - 1);
        }
        return null;
    }
}
