using HaSim.Primitives;

namespace HaSim.Kernel.Distributions;

/// <summary>
/// Gamma with a shape and either a scale, <c>gamma(shape=2, scale=0.5ms)</c>, or a mean,
/// <c>gamma(shape=2, mean=1ms)</c> (scale = mean / shape); the text form keeps the one used.
/// Shape 1 is the exponential; a larger shape is less variable (coefficient of variation
/// 1/sqrt(shape)). The shape must be between 0.01 and 10,000.
/// </summary>
/// <remarks>
/// Sampling is Marsaglia and Tsang's rejection method (ACM TOMS 26(3), 2000), with the normals
/// from <see cref="StandardNormal.Quantile"/>: the only kind not sampled by inversion, since the
/// gamma quantile has no closed form and inverting it numerically is slow. So the number of draws
/// per sample varies: a normal and a uniform per try, about 2.04 draws a sample at shape 2, 2.09 at
/// shape 1, and one more uniform below shape 1 (about 3.05 at shape 0.5).
/// </remarks>
public sealed record GammaLatency : LatencyDistribution
{
    // Marsaglia-Tsang constants for shape max(shape, shape + 1): d = a - 1/3, c = 1 / sqrt(9d).
    private readonly double _d;
    private readonly double _c;

    private GammaLatency(double shape, double scaleNanoseconds, Duration? scale, Duration? mean)
    {
        Shape = shape;
        ScaleNanoseconds = scaleNanoseconds;
        Scale = scale;
        Mean = mean;
        _d = (shape < 1 ? shape + 1 : shape) - 1.0 / 3;
        _c = 1 / Math.Sqrt(9 * _d);
    }

    public double Shape { get; }

    /// <summary>The scale in nanoseconds (as written, or mean / shape).</summary>
    public double ScaleNanoseconds { get; }

    /// <summary>The scale as written, or null in the (shape, mean) form.</summary>
    public Duration? Scale { get; }

    /// <summary>The mean as written, or null in the (shape, scale) form.</summary>
    public Duration? Mean { get; }

    public static GammaLatency FromShapeAndScale(double shape, Duration scale)
    {
        ParameterProblem.ThrowIfAny(CheckShapeAndScale(shape, scale));
        return new GammaLatency(shape, scale.Nanoseconds, scale, mean: null);
    }

    public static GammaLatency FromShapeAndMean(double shape, Duration mean)
    {
        ParameterProblem.ThrowIfAny(CheckShapeAndMean(shape, mean));
        return new GammaLatency(shape, mean.Nanoseconds / shape, scale: null, mean);
    }

    public override double MeanNanoseconds => Shape * ScaleNanoseconds;

    public override Duration Sample(SimRandom rng)
    {
        double x, v;
        while (true)
        {
            do
            {
                x = StandardNormal.Quantile(rng.NextOpenUnit());
                v = 1 + _c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = rng.NextOpenUnit();
            // The cheap squeeze test first: it accepts most candidates without a logarithm.
            if (u < 1 - 0.0331 * (x * x) * (x * x) || Math.Log(u) < 0.5 * x * x + _d * (1 - v + Math.Log(v)))
            {
                break;
            }
        }
        var g = _d * v;
        if (Shape < 1)
        {
            // Boost: if Y ~ Gamma(shape + 1) and U uniform, Y * U^(1/shape) ~ Gamma(shape).
            g *= Math.Pow(rng.NextOpenUnit(), 1 / Shape);
        }
        return Duration.FromNanosecondsRounded(g * ScaleNanoseconds);
    }

    public override double Cdf(double nanoseconds) =>
        nanoseconds <= 0 ? 0
        : double.IsPositiveInfinity(nanoseconds) ? 1
        : RegularizedGamma.Lower(Shape, nanoseconds / ScaleNanoseconds);

    internal override double QuantileOf(double p) =>
        p <= 0 ? 0
        : p >= 1 ? double.PositiveInfinity
        : RegularizedGamma.LowerInverse(Shape, p) * ScaleNanoseconds;

    public override string ToString() => Mean is { } mean
        ? $"gamma(shape={FormatNumber(Shape)}, mean={mean})"
        : $"gamma(shape={FormatNumber(Shape)}, scale={Scale})";

    internal static ParameterProblem? CheckShapeAndScale(double shape, Duration scale) =>
        CheckShape(shape) ?? ParameterProblem.Positive("scale", scale);

    internal static ParameterProblem? CheckShapeAndMean(double shape, Duration mean) =>
        CheckShape(shape) ?? ParameterProblem.Positive("mean", mean);

    /// <summary>
    /// Shapes from 0.01 to 10,000, a coefficient of variation from 10 down to 0.01: beyond that,
    /// MathNet's incomplete gamma function (behind the CDF and quantile) loses precision, and a
    /// delay that variable or that steady is better written another way.
    /// </summary>
    private static ParameterProblem? CheckShape(double shape) =>
        shape is >= 0.01 and <= 1e4
            ? null
            : new ParameterProblem("shape", $"shape must be between 0.01 and 10000 (a coefficient of variation from 10 down to 0.01), got {FormatNumber(shape)}");
}
