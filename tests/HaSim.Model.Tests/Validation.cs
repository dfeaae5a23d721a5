using System.Globalization;

namespace HaSim.Model.Tests;

/// <summary>Formats a measured value beside its theory, for the validation tests' output.</summary>
internal static class Validation
{
    public static string Compare(string what, double measured, double theory) =>
        string.Create(CultureInfo.InvariantCulture, $"{what}: measured {measured:0.0000}, theory {theory:0.0000}, error {(measured / theory - 1) * 100:+0.00;-0.00}%");
}
