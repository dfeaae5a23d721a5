using System.Globalization;
using HaSim.Primitives;

namespace HaSim.Experiments.Plots;

/// <summary>What a parameter's text values measure, once read as numbers.</summary>
public enum QuantityKind
{
    Number,
    Duration,
    Size,
    Rate,
}

/// <summary>A parameter value read as a number in base units: seconds, bytes, bytes per second, or plain.</summary>
public readonly record struct Quantity(QuantityKind Kind, double Value);

/// <summary>Numbers on an axis with the unit they are shown in.</summary>
/// <param name="Values">One per input text, in display units.</param>
/// <param name="Unit">The display unit for the axis label (<c>ms</c>, <c>s</c>, <c>kB</c>, <c>MB/s</c>, ...), empty for plain numbers.</param>
public sealed record NumericAxis(IReadOnlyList<double> Values, string Unit)
{
    /// <summary><c>name (unit)</c>, or the name alone for plain numbers; <c>name (unit, log scale)</c> for a log axis.</summary>
    public string Label(string name, bool log = false)
    {
        var notes = string.Join(", ", new[] { Unit, log ? "log scale" : "" }.Where(n => n.Length > 0));
        return notes.Length == 0 ? name : $"{name} ({notes})";
    }
}

/// <summary>
/// Turns parameter values as written in experiment files (<c>2000</c>, <c>500us</c>,
/// <c>const(500us)</c>, <c>30s</c>, <c>8kB</c>, <c>80MB/s</c>, <c>10Gbps</c>) into numbers for an axis.
/// Durations are shown in ms, or in s when every value is at least a second; sizes and rates in
/// the largest unit the largest value reaches.
/// </summary>
public static class Quantities
{
    public const string Expected = "numbers, durations (500us, 30s), sizes (8kB), rates (80MB/s, 10Gbps), or const(...) of one";

    /// <summary>Reads one value; <c>const(x)</c> is read as <c>x</c>.</summary>
    public static bool TryParse(string text, out Quantity quantity)
    {
        quantity = default;
        var s = text.Trim();
        if (s.StartsWith("const(", StringComparison.Ordinal) && s.EndsWith(')'))
        {
            s = s["const(".Length..^1].Trim();
        }
        if (s.Length == 0)
        {
            return false;
        }
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            quantity = new Quantity(QuantityKind.Number, number);
            return true;
        }
        if (Duration.TryParse(s, out var duration, out _))
        {
            quantity = new Quantity(QuantityKind.Duration, duration.TotalSeconds);
            return true;
        }
        if (ByteText.TryParseSize(s, out var bytes, out _))
        {
            quantity = new Quantity(QuantityKind.Size, bytes);
            return true;
        }
        if (ByteText.TryParseRate(s, out var rate, out _))
        {
            quantity = new Quantity(QuantityKind.Rate, rate);
            return true;
        }
        return false;
    }

    /// <summary>True when every text reads as a quantity of one kind.</summary>
    public static bool AllNumeric(IEnumerable<string> texts)
    {
        QuantityKind? kind = null;
        foreach (var text in texts)
        {
            if (!TryParse(text, out var q) || (kind is { } k && k != q.Kind))
            {
                return false;
            }
            kind = q.Kind;
        }
        return kind is not null;
    }

    /// <summary>
    /// Reads the values of <paramref name="parameter"/> as one kind of quantity in one display unit;
    /// errors name <paramref name="file"/> and the first value that does not fit.
    /// </summary>
    public static NumericAxis Axis(string file, string parameter, IReadOnlyList<string> texts)
    {
        var quantities = new Quantity[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            if (!TryParse(texts[i], out quantities[i]))
            {
                throw new PlotInputException($"{file}: parameter '{parameter}' has the value '{texts[i]}', which is not numeric; an x axis needs {Expected} (use a numeric parameter for --x, or make this one a --series)");
            }
            if (quantities[i].Kind != quantities[0].Kind)
            {
                throw new PlotInputException($"{file}: parameter '{parameter}' mixes {Describe(quantities[0].Kind)} ('{texts[0]}') and {Describe(quantities[i].Kind)} ('{texts[i]}'); an x axis needs one kind of value");
            }
        }
        if (quantities.Length == 0)
        {
            return new NumericAxis([], "");
        }
        var max = quantities.Max(q => Math.Abs(q.Value));
        var min = quantities.Min(q => Math.Abs(q.Value));
        var bits = texts.All(t => t.Trim().TrimEnd(')').EndsWith("bps", StringComparison.Ordinal));
        // unit and the multiplier from base units (s, bytes, bytes/s) to it
        var (unit, multiplier) = quantities[0].Kind switch
        {
            QuantityKind.Duration => min >= 1 ? ("s", 1.0) : ("ms", 1e3),
            QuantityKind.Size => Largest(max, [("B", 1), ("kB", 1024), ("MB", 1024.0 * 1024), ("GB", 1024.0 * 1024 * 1024)]),
            QuantityKind.Rate when bits => Largest(max, [("bps", 1 / 8.0), ("kbps", 1e3 / 8), ("Mbps", 1e6 / 8), ("Gbps", 1e9 / 8)]),
            QuantityKind.Rate => Largest(max, [("B/s", 1), ("kB/s", 1024), ("MB/s", 1024.0 * 1024), ("GB/s", 1024.0 * 1024 * 1024)]),
            _ => ("", 1.0),
        };
        return new NumericAxis(quantities.Select(q => q.Value * multiplier).ToArray(), unit);
    }

    /// <summary>The largest unit that <paramref name="max"/> (in base units) reaches, and the multiplier from base units to it.</summary>
    private static (string Unit, double Multiplier) Largest(double max, (string Unit, double BaseUnits)[] units)
    {
        var chosen = units[0];
        foreach (var u in units)
        {
            if (max >= u.BaseUnits)
            {
                chosen = u;
            }
        }
        return (chosen.Unit, 1 / chosen.BaseUnits);
    }

    private static string Describe(QuantityKind kind) => kind switch
    {
        QuantityKind.Duration => "durations",
        QuantityKind.Size => "sizes",
        QuantityKind.Rate => "rates",
        _ => "plain numbers",
    };
}
