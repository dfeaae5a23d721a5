using System.Globalization;

namespace HaSim.Checkers;

/// <summary>Invariant-culture wording for the one-line summaries.</summary>
internal static class Text
{
    public static string Count(long n, string noun) =>
        n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? noun : noun + "s");

    public static string Int(long n) => n.ToString(CultureInfo.InvariantCulture);
}
