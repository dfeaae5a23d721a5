using MathNet.Numerics;

namespace HaSim.Kernel.Distributions;

/// <summary>
/// The standard normal distribution's CDF and quantile. The quantile is our own code, not
/// MathNet's, because it sits on the sampling hot path (lognormal, truncated normal, and the
/// normals inside the gamma sampler) and its exact bits decide every sample.
/// </summary>
internal static class StandardNormal
{
    private const double InverseSqrt2 = 0.70710678118654752440;

    /// <summary>P(Z &lt;= z), accurate in the lower tail.</summary>
    public static double Cdf(double z) => 0.5 * SpecialFunctions.Erfc(-z * InverseSqrt2);

    /// <summary>P(Z &gt; z), accurate in the upper tail (no cancellation in 1 - Cdf).</summary>
    public static double UpperTail(double z) => 0.5 * SpecialFunctions.Erfc(z * InverseSqrt2);

    /// <summary>
    /// The z with P(Z &lt;= z) = <paramref name="p"/>: Wichura's algorithm AS 241, PPND16 (Applied
    /// Statistics 37(3), 1988), about 1e-16 relative accuracy. -infinity at 0, +infinity at 1.
    /// </summary>
    /// <remarks>
    /// Three rational approximations: one for the centre (|p - 1/2| &lt;= 0.425), and two in
    /// r = sqrt(-ln(tail)) for the tails. The tail branch reads min(p, 1 - p), so for p near 1 its
    /// precision is limited by 1 - p: callers that need far-upper-tail precision pass the small
    /// upper-tail probability and negate the result.
    /// </remarks>
    public static double Quantile(double p)
    {
        if (p <= 0)
        {
            return double.NegativeInfinity;
        }
        if (p >= 1)
        {
            return double.PositiveInfinity;
        }
        var q = p - 0.5;
        if (Math.Abs(q) <= 0.425)
        {
            var r = 0.180625 - q * q;
            return q * (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r
                        + 6.7265770927008700853e+4) * r + 4.5921953931549871457e+4) * r
                        + 1.3731693765509461125e+4) * r + 1.9715909503065514427e+3) * r
                        + 1.3314166789178437745e+2) * r + 3.3871328727963666080e+0)
                / (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r
                        + 3.9307895800092710610e+4) * r + 2.1213794301586595867e+4) * r
                        + 5.3941960214247511077e+3) * r + 6.8718700749205790830e+2) * r
                        + 4.2313330701600911252e+1) * r + 1.0);
        }
        var t = Math.Sqrt(-Math.Log(q < 0 ? p : 1 - p));
        double z;
        if (t <= 5)
        {
            t -= 1.6;
            z = (((((((7.74545014278341407640e-4 * t + 2.27238449892691845833e-2) * t
                        + 2.41780725177450611770e-1) * t + 1.27045825245236838258e+0) * t
                        + 3.64784832476320460504e+0) * t + 5.76949722146069140550e+0) * t
                        + 4.63033784615654529590e+0) * t + 1.42343711074968357734e+0)
                / (((((((1.05075007164441684324e-9 * t + 5.47593808499534494600e-4) * t
                        + 1.51986665636164571966e-2) * t + 1.48103976427480074590e-1) * t
                        + 6.89767334985100004550e-1) * t + 1.67638483018380384940e+0) * t
                        + 2.05319162663775882187e+0) * t + 1.0);
        }
        else
        {
            t -= 5;
            z = (((((((2.01033439929228813265e-7 * t + 2.71155556874348757815e-5) * t
                        + 1.24266094738807843860e-3) * t + 2.65321895265761230930e-2) * t
                        + 2.96560571828504891230e-1) * t + 1.78482653991729133580e+0) * t
                        + 5.46378491116411436990e+0) * t + 6.65790464350110377720e+0)
                / (((((((2.04426310338993978564e-15 * t + 1.42151175831644588870e-7) * t
                        + 1.84631831751005468180e-5) * t + 7.86869131145613259100e-4) * t
                        + 1.48753612908506148525e-2) * t + 1.36929880922735805310e-1) * t
                        + 5.99832206555887937690e-1) * t + 1.0);
        }
        return q < 0 ? -z : z;
    }
}
