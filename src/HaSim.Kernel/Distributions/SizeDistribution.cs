using System.Diagnostics.CodeAnalysis;
using HaSim.Primitives;

namespace HaSim.Kernel.Distributions;

/// <summary>What the values of a parsed distribution measure.</summary>
public enum DistributionQuantity
{
    /// <summary>Durations: <c>exp(mean=1ms)</c>.</summary>
    Time,
    /// <summary>Byte counts: <c>lognormal(median=1kB, p99=8kB)</c> (kB = 1024 bytes, as in PostgreSQL).</summary>
    Bytes,
}

/// <summary>
/// A distribution of byte counts, such as the WAL a transaction writes: the same kinds and
/// grammar as <see cref="LatencyDistribution"/>, with sizes where durations would be
/// (<c>8kB</c>, <c>lognormal(median=1kB, p99=8kB)</c>, <c>mix(0.9: 512B, 0.1: 64kB)</c>).
/// It reuses the latency machinery with one nanosecond standing for one byte; the text form is
/// kept as written, since sizes print in their own units.
/// </summary>
public sealed record SizeDistribution
{
    private SizeDistribution(LatencyDistribution shape, string text)
    {
        Shape = shape;
        Text = text;
    }

    /// <summary>The underlying distribution, one nanosecond per byte.</summary>
    public LatencyDistribution Shape { get; }

    /// <summary>The text it was parsed from, trimmed.</summary>
    public string Text { get; }

    public double MeanBytes => Shape.MeanNanoseconds;

    /// <summary>Draws a byte count; at least 1, since every transaction writes a commit record.</summary>
    public long Sample(SimRandom rng) => Math.Max(1, Shape.SampleInline(rng).Nanoseconds);

    /// <summary>The size below which a fraction <paramref name="p"/> of transactions fall, in bytes.</summary>
    public double Quantile(double p) => Shape.Quantile(p);

    public override string ToString() => Text;

    public static SizeDistribution Parse(string text)
    {
        if (!TryParse(text, out var distribution, out var error))
        {
            throw new FormatException(error.Message);
        }
        return distribution;
    }

    public static bool TryParse(
        string? text,
        [NotNullWhen(true)] out SizeDistribution? distribution,
        [NotNullWhen(false)] out DistributionParseError? error)
    {
        distribution = null;
        if (!DistributionParser.TryParse(text ?? "", DistributionQuantity.Bytes, out var shape, out error))
        {
            return false;
        }
        distribution = new SizeDistribution(shape, text!.Trim());
        return true;
    }

    /// <summary>A fixed size, for models built in code.</summary>
    public static SizeDistribution Constant(long bytes) =>
        new(new ConstantLatency(Duration.FromNanoseconds(bytes)), ByteText.FormatSize(bytes));
}
