using System.Globalization;

namespace HaSim.Model.Tests;

/// <summary>Formats a measured value beside its theory, for the validation tests' output.</summary>
internal static class Validation
{
    public static string Compare(string what, double measured, double theory)
    {
        var error = Math.Round((measured / theory - 1) * 100, 2);
        return string.Create(CultureInfo.InvariantCulture,
            $"{what}: measured {measured:0.0000}, theory {theory:0.0000}, error {(error < 0 ? "-" : "+")}{Math.Abs(error):0.00}%");
    }
}
