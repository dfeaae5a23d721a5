using System.Runtime.CompilerServices;

namespace HaSim.Primitives;

/// <summary>
/// A signed span of simulated time in whole nanoseconds. Integer time keeps runs bit-for-bit
/// reproducible: no floating-point drift accumulates as events are scheduled.
/// </summary>
public readonly record struct Duration(long Nanoseconds) : IComparable<Duration>
{
    public const long NanosPerMicrosecond = 1_000;
    public const long NanosPerMillisecond = 1_000_000;
    public const long NanosPerSecond = 1_000_000_000;
    public const long NanosPerMinute = 60 * NanosPerSecond;
    public const long NanosPerHour = 60 * NanosPerMinute;

    public static readonly Duration Zero = new(0);
    public static readonly Duration MaxValue = new(long.MaxValue);

    public static Duration FromNanoseconds(long ns) => new(ns);
    public static Duration FromMicroseconds(long us) => new(checked(us * NanosPerMicrosecond));
    public static Duration FromMilliseconds(long ms) => new(checked(ms * NanosPerMillisecond));
    public static Duration FromSeconds(long s) => new(checked(s * NanosPerSecond));

    /// <summary>Rounds a real number of seconds to the nearest nanosecond (half away from zero).</summary>
    public static Duration FromSecondsRounded(double seconds) => FromNanosecondsRounded(seconds * NanosPerSecond);

    /// <summary>
    /// Below this magnitude <see cref="FromNanosecondsRounded"/> is a plain round half away from
    /// zero: well inside the range of long, so nothing saturates.
    /// </summary>
    public const double PlainRoundingBelowNanos = 9e18;

    /// <summary>Rounds a real number of nanoseconds to the nearest whole nanosecond (half away from zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Duration FromNanosecondsRounded(double nanoseconds)
    {
        // Every sampled delay comes through here: one test for the common case, a finite value
        // well inside the range of long (NaN fails it too), and the rest out of line.
        if (Math.Abs(nanoseconds) < PlainRoundingBelowNanos)
        {
            return new Duration((long)Math.Round(nanoseconds, MidpointRounding.AwayFromZero));
        }
        return FromNanosecondsRoundedOutOfRange(nanoseconds);
    }

    private static Duration FromNanosecondsRoundedOutOfRange(double nanoseconds)
    {
        if (double.IsNaN(nanoseconds))
        {
            throw new ArgumentOutOfRangeException(nameof(nanoseconds), "a duration cannot be NaN");
        }
        if (nanoseconds >= long.MaxValue)
        {
            return MaxValue;
        }
        if (nanoseconds <= long.MinValue)
        {
            return new Duration(long.MinValue);
        }
        return new Duration((long)Math.Round(nanoseconds, MidpointRounding.AwayFromZero));
    }

    public double TotalSeconds => (double)Nanoseconds / NanosPerSecond;
    public double TotalMilliseconds => (double)Nanoseconds / NanosPerMillisecond;
    public double TotalMicroseconds => (double)Nanoseconds / NanosPerMicrosecond;
    public bool IsNegative => Nanoseconds < 0;
    public bool IsZero => Nanoseconds == 0;

    public static Duration operator +(Duration a, Duration b) => new(checked(a.Nanoseconds + b.Nanoseconds));
    public static Duration operator -(Duration a, Duration b) => new(checked(a.Nanoseconds - b.Nanoseconds));
    public static Duration operator -(Duration a) => new(checked(-a.Nanoseconds));
    public static Duration operator *(Duration a, long k) => new(checked(a.Nanoseconds * k));
    public static Duration operator *(long k, Duration a) => new(checked(a.Nanoseconds * k));
    public static Duration operator /(Duration a, long k) => new(a.Nanoseconds / k);
    public static long operator /(Duration a, Duration b) => a.Nanoseconds / b.Nanoseconds;
    public static Duration operator %(Duration a, Duration b) => new(a.Nanoseconds % b.Nanoseconds);
    public static bool operator <(Duration a, Duration b) => a.Nanoseconds < b.Nanoseconds;
    public static bool operator >(Duration a, Duration b) => a.Nanoseconds > b.Nanoseconds;
    public static bool operator <=(Duration a, Duration b) => a.Nanoseconds <= b.Nanoseconds;
    public static bool operator >=(Duration a, Duration b) => a.Nanoseconds >= b.Nanoseconds;

    public static Duration Min(Duration a, Duration b) => a <= b ? a : b;
    public static Duration Max(Duration a, Duration b) => a >= b ? a : b;

    public int CompareTo(Duration other) => Nanoseconds.CompareTo(other.Nanoseconds);

    /// <summary>The shortest exact text with a unit: <c>250us</c>, <c>1.5ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>.</summary>
    public override string ToString() => DurationText.Format(this);

    /// <summary>Parses text such as <c>250us</c>, <c>1.5ms</c>, <c>30s</c>, <c>2m</c>, <c>1m30s</c>.</summary>
    public static Duration Parse(string text) => DurationText.Parse(text);

    public static bool TryParse(string? text, out Duration value, out string error) =>
        DurationText.TryParse(text, out value, out error);

}
