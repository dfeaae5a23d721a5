namespace HaSim.Primitives;

/// <summary>
/// A point in simulated time: whole nanoseconds since the start of the run. The algebra is that of
/// points and vectors: an instant plus a duration is an instant, the difference of two instants is
/// a duration, and two instants cannot be added.
/// </summary>
public readonly record struct Instant(long NanosecondsSinceStart) : IComparable<Instant>
{
    public static readonly Instant Start = new(0);
    public static readonly Instant MaxValue = new(long.MaxValue);

    public Duration SinceStart => new(NanosecondsSinceStart);

    public static Instant operator +(Instant t, Duration d) => new(checked(t.NanosecondsSinceStart + d.Nanoseconds));
    public static Instant operator +(Duration d, Instant t) => t + d;
    public static Instant operator -(Instant t, Duration d) => new(checked(t.NanosecondsSinceStart - d.Nanoseconds));
    public static Duration operator -(Instant a, Instant b) => new(checked(a.NanosecondsSinceStart - b.NanosecondsSinceStart));
    public static bool operator <(Instant a, Instant b) => a.NanosecondsSinceStart < b.NanosecondsSinceStart;
    public static bool operator >(Instant a, Instant b) => a.NanosecondsSinceStart > b.NanosecondsSinceStart;
    public static bool operator <=(Instant a, Instant b) => a.NanosecondsSinceStart <= b.NanosecondsSinceStart;
    public static bool operator >=(Instant a, Instant b) => a.NanosecondsSinceStart >= b.NanosecondsSinceStart;

    public static Instant Min(Instant a, Instant b) => a <= b ? a : b;
    public static Instant Max(Instant a, Instant b) => a >= b ? a : b;

    /// <summary>Adds a duration, saturating at <see cref="MaxValue"/> instead of overflowing (for "never" deadlines).</summary>
    public Instant SaturatingAdd(Duration d)
    {
        var sum = NanosecondsSinceStart + d.Nanoseconds;
        return d.Nanoseconds > 0 && sum < NanosecondsSinceStart ? MaxValue : new Instant(sum);
    }

    public int CompareTo(Instant other) => NanosecondsSinceStart.CompareTo(other.NanosecondsSinceStart);

    /// <summary>Printed as the time since the start of the run, e.g. <c>T+12.5s</c>.</summary>
    public override string ToString() => "T+" + SinceStart;

    /// <summary>Parses <c>T+12.5s</c> or a plain duration since the start such as <c>12.5s</c>.</summary>
    public static Instant Parse(string text)
    {
        var body = text.StartsWith("T+", StringComparison.Ordinal) ? text[2..] : text;
        return new Instant(Duration.Parse(body).Nanoseconds);
    }
}
