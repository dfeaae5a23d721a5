using System.Collections.Immutable;
using HaSim.Primitives;

namespace HaSim.Kernel.Distributions;

/// <summary>One weighted component of a <see cref="MixtureLatency"/>, with its weight as written.</summary>
public readonly record struct MixtureComponent(double Weight, LatencyDistribution Distribution);

/// <summary>
/// A weighted mixture: <c>mix(0.9: pareto(xm=0.2ms, alpha=10), 0.1: exp(mean=0.6ms))</c>, such as
/// a fast path with occasional slow requests. Weights must be positive and are normalised when
/// they do not sum to one; the text form keeps them as written. Components may be mixtures.
/// Sampling draws one uniform to pick the component, then the component samples.
/// </summary>
public sealed record MixtureLatency : LatencyDistribution
{
    // Normalised weights and their running sums, for the CDF and for picking a component.
    private readonly double[] _probabilities;
    private readonly double[] _cumulative;

    public MixtureLatency(IEnumerable<MixtureComponent> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        Components = [.. components];
        ParameterProblem.ThrowIfAny(Check(Components));
        var total = 0.0;
        foreach (var component in Components)
        {
            total += component.Weight;
        }
        _probabilities = new double[Components.Length];
        _cumulative = new double[Components.Length];
        var running = 0.0;
        for (var i = 0; i < Components.Length; i++)
        {
            _probabilities[i] = Components[i].Weight / total;
            running += _probabilities[i];
            _cumulative[i] = running;
        }
        // Rounding may leave the last running sum just below 1; a uniform above it must still
        // pick the last component.
        _cumulative[^1] = 1;
    }

    public ImmutableArray<MixtureComponent> Components { get; }

    public override double MeanNanoseconds
    {
        get
        {
            var mean = 0.0;
            for (var i = 0; i < Components.Length; i++)
            {
                mean += _probabilities[i] * Components[i].Distribution.MeanNanoseconds;
            }
            return mean;
        }
    }

    public override Duration Sample(SimRandom rng)
    {
        var u = rng.NextDouble();
        var i = 0;
        while (u >= _cumulative[i])
        {
            i++;
        }
        return Components[i].Distribution.Sample(rng);
    }

    public override double Cdf(double nanoseconds)
    {
        var cdf = 0.0;
        for (var i = 0; i < Components.Length; i++)
        {
            cdf += _probabilities[i] * Components[i].Distribution.Cdf(nanoseconds);
        }
        return cdf;
    }

    /// <summary>
    /// No closed form: bisection on the CDF. The answer lies between the smallest and the largest
    /// component quantile at p, which brackets it without any search for bounds.
    /// </summary>
    internal override double QuantileOf(double p)
    {
        var low = double.PositiveInfinity;
        var high = double.NegativeInfinity;
        foreach (var component in Components)
        {
            var q = component.Distribution.QuantileOf(p);
            low = Math.Min(low, q);
            high = Math.Max(high, q);
        }
        if (p == 0)
        {
            return low;
        }
        // Invariant: the answer is in [low, high]. 100 halvings shrink the bracket by 2^-100, far
        // below one ulp of any latency; the loop usually stops sooner, at adjacent doubles.
        for (var i = 0; i < 100 && high < double.PositiveInfinity; i++)
        {
            var middle = low + (high - low) / 2;
            if (middle <= low || middle >= high)
            {
                break;
            }
            if (Cdf(middle) >= p)
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }
        return high;
    }

    public override string ToString() =>
        "mix(" + string.Join(", ", Components.Select(c => $"{FormatNumber(c.Weight)}: {c.Distribution}")) + ")";

    public bool Equals(MixtureLatency? other) =>
        other is not null && Components.SequenceEqual(other.Components);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var component in Components)
        {
            hash.Add(component);
        }
        return hash.ToHashCode();
    }

    internal static ParameterProblem? Check(ImmutableArray<MixtureComponent> components)
    {
        if (components.IsEmpty)
        {
            return new ParameterProblem("weight", "mix needs at least one component");
        }
        for (var i = 0; i < components.Length; i++)
        {
            if (components[i].Distribution is null)
            {
                return new ParameterProblem("distribution", $"component {i} has no distribution", i);
            }
            if (!(components[i].Weight > 0 && double.IsFinite(components[i].Weight)))
            {
                return new ParameterProblem("weight", $"weights must be positive finite numbers, got {FormatNumber(components[i].Weight)}", i);
            }
        }
        var total = components.Sum(component => component.Weight);
        return double.IsFinite(total)
            ? null
            : new ParameterProblem("weight", "the weights' sum overflows: scale them down", components.Length - 1);
    }
}
