namespace HaSim.Kernel.Distributions;

/// <summary>Elementary functions where the obvious formula cancels.</summary>
internal static class Precise
{
    /// <summary>
    /// e^x - 1 to within a few ulps for every x, by Kahan's trick: (u - 1) x / ln(u) with
    /// u = e^x, where the rounding errors of u - 1 and ln(u) cancel. CDFs of the form
    /// 1 - e^-x need it for small probabilities. Not MathNet's SpecialFunctions.Expm1: in
    /// MathNet 5.0.0 it sums a short series and is off by about 5e-10 relative near |x| = 0.08.
    /// </summary>
    public static double ExpMinusOne(double x)
    {
        var u = Math.Exp(x);
        if (u == 1)
        {
            return x;
        }
        var uMinusOne = u - 1;
        // At the ends the ratio would be 0/0 or inf/inf; the answer is plain there.
        return uMinusOne == -1 || double.IsPositiveInfinity(u) ? uMinusOne : uMinusOne * x / Math.Log(u);
    }
}
