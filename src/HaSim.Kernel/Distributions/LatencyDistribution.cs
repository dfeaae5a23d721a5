using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using HaSim.Primitives;

namespace HaSim.Kernel.Distributions;

/// <summary>
/// A distribution of non-negative delays (network hops, fsyncs, service times), written in model
/// files as text such as <c>lognormal(median=0.8ms, p99=2ms)</c> or
/// <c>mix(0.9: pareto(xm=0.2ms, alpha=10), 0.1: exp(mean=0.6ms))</c>.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Sample"/> is the simulation's hot path: it draws only from the given
/// <see cref="SimRandom"/>, never allocates, and rounds to whole nanoseconds at once (DESIGN.md,
/// rule 1). Kinds with a closed-form quantile use inverse-transform sampling with exactly one
/// uniform per sample, so a stream's position after n samples does not depend on the values
/// drawn. A mixture draws one more to pick its component; gamma (rejection sampling) draws a
/// variable number, about two.
/// </para>
/// <para>
/// <see cref="ToString"/> is the canonical text form: <see cref="Parse"/> reads it back to an
/// equal distribution that draws the same samples from the same stream. Equality is by value.
/// </para>
/// <para>
/// Instances are immutable, so one can serve many simulation runs at once; each run brings its
/// own <see cref="SimRandom"/> stream.
/// </para>
/// <para>
/// The set of kinds is closed (the internal abstract member keeps other assemblies from adding
/// one): the parser and the text form must know every kind.
/// </para>
/// </remarks>
public abstract record LatencyDistribution
{
    /// <summary>Draws one delay from <paramref name="rng"/>, rounded to the nearest nanosecond.</summary>
    public abstract Duration Sample(SimRandom rng);

    /// <summary>
    /// <see cref="Sample"/>, with a lognormal (the kind of every default latency) drawn in line at
    /// the caller instead of through the virtual call: the simulation's hot path draws over a
    /// million delays a run. The same draws and the same values as <see cref="Sample"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Duration SampleInline(SimRandom rng) => this is LogNormalLatency logNormal ? logNormal.SampleLogNormal(rng) : Sample(rng);

    /// <summary>P(X &lt;= <paramref name="nanoseconds"/>), before rounding to whole nanoseconds.</summary>
    public abstract double Cdf(double nanoseconds);

    /// <summary>
    /// The smallest x (in nanoseconds) with Cdf(x) &gt;= <paramref name="p"/>, for p in [0, 1];
    /// Quantile(1) is +infinity for unbounded kinds.
    /// </summary>
    public double Quantile(double p)
    {
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "a probability must be in [0, 1]");
        }
        return QuantileOf(p);
    }

    /// <summary>The analytic mean in nanoseconds: +infinity where it does not exist (Pareto with alpha &lt;= 1).</summary>
    public abstract double MeanNanoseconds { get; }

    /// <summary>The canonical text form, which <see cref="Parse"/> reads back to an equal distribution.</summary>
    public abstract override string ToString();

    /// <summary><see cref="Quantile"/> without the argument check, for samplers and composite kinds.</summary>
    internal abstract double QuantileOf(double p);

    /// <summary>Parses the text form; throws <see cref="FormatException"/> with the column and what was expected.</summary>
    public static LatencyDistribution Parse(string text)
    {
        if (!TryParse(text, out var distribution, out var error))
        {
            throw new FormatException(error.Message);
        }
        return distribution;
    }

    /// <summary>
    /// Parses the text form. On failure <paramref name="error"/> gives the 0-based column in
    /// <paramref name="text"/> and says what was expected there.
    /// </summary>
    public static bool TryParse(
        string? text,
        [NotNullWhen(true)] out LatencyDistribution? distribution,
        [NotNullWhen(false)] out DistributionParseError? error) =>
        DistributionParser.TryParse(text ?? "", out distribution, out error);

    /// <summary>Inverse-transform sampling: one open uniform, so the quantile never sees 0 or 1.</summary>
    private protected Duration SampleByInversion(SimRandom rng) =>
        Duration.FromNanosecondsRounded(QuantileOf(rng.NextOpenUnit()));

    /// <summary>Plain numbers in the text form: the shortest text that reads back to the same double.</summary>
    internal static string FormatNumber(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
