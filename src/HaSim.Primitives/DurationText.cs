using System.Globalization;

namespace HaSim.Primitives;

/// <summary>
/// The text form of durations. Numbers are read as decimals so that <c>1.5ms</c> is exactly
/// 1,500,000 ns; a value that is not a whole number of nanoseconds is an error, not a rounding.
/// </summary>
public static class DurationText
{
    private static readonly (string Suffix, long Nanos)[] Units =
    [
        // Longer suffixes first so that "ms" is not read as "m" followed by "s".
        ("ns", 1),
        ("us", Duration.NanosPerMicrosecond),
        ("µs", Duration.NanosPerMicrosecond),
        ("ms", Duration.NanosPerMillisecond),
        ("s", Duration.NanosPerSecond),
        ("m", Duration.NanosPerMinute),
        ("h", Duration.NanosPerHour),
    ];

    public const string Expected = "a duration with a unit, such as 250us, 1.5ms, 30s, 2m, 1h or 1m30s (units: ns, us, ms, s, m, h)";

    public static Duration Parse(string text)
    {
        if (!TryParse(text, out var value, out var error))
        {
            throw new FormatException(error);
        }
        return value;
    }

    public static bool TryParse(string? text, out Duration value, out string error)
    {
        value = Duration.Zero;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"empty text; expected {Expected}";
            return false;
        }
        var s = text.Trim();
        var negative = false;
        var i = 0;
        if (s[0] == '-')
        {
            negative = true;
            i = 1;
        }
        if (i >= s.Length)
        {
            error = $"'{text}' is not {Expected}";
            return false;
        }
        decimal total = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            if (i == start)
            {
                error = $"'{text}' is not {Expected}";
                return false;
            }
            if (!decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"'{text}' has a malformed number; expected {Expected}";
                return false;
            }
            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }
            var unit = s.AsSpan(unitStart, i - unitStart).Trim();
            if (unit.Length == 0)
            {
                error = $"'{text}' has a number without a unit; expected {Expected}";
                return false;
            }
            long nanosPerUnit = 0;
            foreach (var (suffix, nanos) in Units)
            {
                if (unit.SequenceEqual(suffix))
                {
                    nanosPerUnit = nanos;
                    break;
                }
            }
            if (nanosPerUnit == 0)
            {
                error = $"'{text}' has an unknown unit '{unit}'; expected {Expected}";
                return false;
            }
            try
            {
                total += number * nanosPerUnit;
            }
            catch (OverflowException)
            {
                error = $"'{text}' is too long a duration";
                return false;
            }
        }
        if (total != decimal.Truncate(total))
        {
            error = $"'{text}' is not a whole number of nanoseconds";
            return false;
        }
        if (total > long.MaxValue)
        {
            error = $"'{text}' is too long a duration";
            return false;
        }
        var ns = (long)total;
        value = new Duration(negative ? -ns : ns);
        return true;
    }

    public static string Format(Duration duration)
    {
        var ns = duration.Nanoseconds;
        if (ns == 0)
        {
            return "0s";
        }
        if (ns == long.MinValue)
        {
            return ns.ToString(CultureInfo.InvariantCulture) + "ns";
        }
        var sign = ns < 0 ? "-" : "";
        var magnitude = Math.Abs(ns);
        if (magnitude % Duration.NanosPerHour == 0)
        {
            return sign + Whole(magnitude / Duration.NanosPerHour) + "h";
        }
        if (magnitude % Duration.NanosPerMinute == 0)
        {
            return sign + Whole(magnitude / Duration.NanosPerMinute) + "m";
        }
        var (suffix, unit) = magnitude >= Duration.NanosPerSecond ? ("s", Duration.NanosPerSecond)
            : magnitude >= Duration.NanosPerMillisecond ? ("ms", Duration.NanosPerMillisecond)
            : magnitude >= Duration.NanosPerMicrosecond ? ("us", Duration.NanosPerMicrosecond)
            : ("ns", 1L);
        var exact = (decimal)magnitude / unit;
        return sign + exact.ToString("0.#########", CultureInfo.InvariantCulture) + suffix;
    }

    private static string Whole(long value) => value.ToString(CultureInfo.InvariantCulture);
}
