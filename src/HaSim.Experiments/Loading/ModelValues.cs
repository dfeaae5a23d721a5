using System.Globalization;
using HaSim.Kernel.Distributions;
using HaSim.Primitives;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Loading;

/// <summary>
/// Reads the scalar values of the format from model nodes: text, numbers, booleans, enumerated
/// words, durations, rates and distributions. Each reader checks the YAML type first (so that a
/// quoted "2000" is not a number and a bare 60 is not a duration, exactly as the JSON Schema
/// sees them), then the value's own grammar and range, and names what is allowed when it fails.
/// </summary>
internal static class ModelValues
{
    public const string ExpectedLatency =
        "a latency distribution such as lognormal(median=350us, p99=1.2ms), exp(mean=1ms) or a bare duration such as 10us";

    public const string ExpectedSize =
        "a size distribution such as lognormal(median=1kB, p99=8kB), exp(mean=2kB) or a bare size such as 8kB";

    public const string Unlimited = "unlimited";

    /// <summary>The word that leaves an optional setting unset (no retry deadline, no <c>timeout check</c>).</summary>
    public const string None = "none";

    /// <summary>A non-blank string; <paramref name="expected"/> says what it is ("a node name").</summary>
    public static string ReadText(this ModelNode node, string expected)
    {
        var text = node.ReadString(expected);
        return !string.IsNullOrWhiteSpace(text) ? text : throw node.Error($"expected {expected}, found '{text}'");
    }

    /// <summary>A string, possibly empty (a quoted ''): YAML's plain empty value is null, not a string.</summary>
    public static string ReadString(this ModelNode node, string expected)
    {
        var scalar = node.AsScalar(expected);
        if (YamlScalars.Resolve(scalar) != ScalarKind.String)
        {
            throw node.Error($"expected {expected}, found {node.Describe()}");
        }
        return scalar.Value ?? "";
    }

    /// <summary>
    /// A name (of a region, zone or node). A bare number or boolean is not text in YAML, and the
    /// usual intent is a name, so the message says how to write one.
    /// </summary>
    public static string ReadName(this ModelNode node, string expected)
    {
        if (node.Yaml is YamlScalarNode scalar && YamlScalars.Resolve(scalar) is ScalarKind.Integer or ScalarKind.Float or ScalarKind.Boolean)
        {
            throw node.Error($"expected {expected}, found {node.Describe()}; quote it ('{scalar.Value}') to use it as a name");
        }
        return node.ReadText(expected);
    }

    public static bool ReadBoolean(this ModelNode node)
    {
        var scalar = node.AsScalar("true or false");
        if (YamlScalars.Resolve(scalar) != ScalarKind.Boolean)
        {
            throw node.Error($"expected true or false, found {node.Describe()}");
        }
        return YamlScalars.BooleanValue(scalar);
    }

    /// <summary>A finite decimal number within <paramref name="range"/>.</summary>
    public static double ReadNumber(this ModelNode node, NumberRange range)
    {
        var expected = $"a number {range}";
        var scalar = node.AsScalar(expected);
        if (YamlScalars.Resolve(scalar) is not (ScalarKind.Integer or ScalarKind.Float))
        {
            throw node.Error($"expected {expected}, found {node.Describe()}{UnquoteHint(scalar)}");
        }
        var value = YamlScalars.NumberValue(scalar);
        if (!double.IsFinite(value) || !range.Contains(value))
        {
            throw node.Error($"expected {expected}, found {scalar.Value}");
        }
        return value;
    }

    /// <summary>
    /// A whole number in [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="maxMeaning"/>
    /// says where a model-dependent maximum comes from ("the number of standbys").
    /// </summary>
    public static long ReadInteger(this ModelNode node, long min, long max, string? maxMeaning = null)
    {
        // Type limits are not worth printing in every message; they are named when exceeded.
        var expected = max >= int.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"a whole number >= {min}")
            : string.Create(CultureInfo.InvariantCulture, $"a whole number from {min} to {max}{(maxMeaning is null ? "" : $" ({maxMeaning})")}");
        var scalar = node.AsScalar(expected);
        if (YamlScalars.Resolve(scalar) != ScalarKind.Integer)
        {
            throw node.Error($"expected {expected}, found {node.Describe()}{UnquoteHint(scalar)}");
        }
        var parsed = long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value);
        if (parsed && value >= min && value <= max)
        {
            return value;
        }
        var aboveMax = parsed ? value > max : !scalar.Value!.StartsWith('-');
        var limit = aboveMax && max >= int.MaxValue ? string.Create(CultureInfo.InvariantCulture, $" and at most {max}") : "";
        throw node.Error($"expected {expected}{limit}, found {scalar.Value}");
    }

    /// <summary>
    /// One of <paramref name="words"/>. Booleans are read as words too, because PostgreSQL
    /// settings such as synchronous_commit accept true and false next to on and off.
    /// </summary>
    public static T ReadWord<T>(this ModelNode node, string what, IReadOnlyList<(string Word, T Value)> words, StringComparison comparison)
    {
        var allowed = words.Select(w => w.Word).ToArray();
        var expected = $"a {what} ({string.Join(", ", allowed)})";
        var scalar = node.AsScalar(expected);
        if (YamlScalars.Resolve(scalar) is not (ScalarKind.String or ScalarKind.Boolean))
        {
            throw node.Error($"expected {expected}, found {node.Describe()}");
        }
        foreach (var (word, value) in words)
        {
            if (string.Equals(word, scalar.Value, comparison))
            {
                return value;
            }
        }
        throw node.Error($"unknown {what} '{scalar.Value}'{Spelling.Hint(scalar.Value!, allowed)}; allowed: {string.Join(", ", allowed)}");
    }

    public static Duration ReadPositiveDuration(this ModelNode node)
    {
        var value = node.ReadDuration();
        return value > Duration.Zero ? value : throw node.Error($"expected a duration greater than 0s, found {value}");
    }

    public static Duration ReadNonNegativeDuration(this ModelNode node)
    {
        var value = node.ReadDuration();
        return !value.IsNegative ? value : throw node.Error($"expected a duration of 0s or more, found {value}");
    }

    /// <summary>A duration greater than zero, or <c>none</c> (null) for a setting that may be left unset.</summary>
    public static Duration? ReadPositiveDurationOrNone(this ModelNode node) =>
        node.ReadDurationOrNone() is not null ? node.ReadPositiveDuration() : null;

    /// <summary>A duration of 0s or more, or <c>none</c> (null) for a setting that may be left unset.</summary>
    public static Duration? ReadNonNegativeDurationOrNone(this ModelNode node) =>
        node.ReadDurationOrNone() is not null ? node.ReadNonNegativeDuration() : null;

    /// <summary>A duration of any sign, or <c>none</c> (null); the callers above check the sign.</summary>
    private static Duration? ReadDurationOrNone(this ModelNode node)
    {
        var expected = $"{DurationText.Expected}, or {None}";
        var scalar = node.AsScalar(expected);
        if (YamlScalars.Resolve(scalar) != ScalarKind.String)
        {
            throw node.Error($"expected {expected}, found {node.Describe()}");
        }
        if (scalar.Value == None)
        {
            return null;
        }
        if (!DurationText.TryParse(scalar.Value, out var value, out var error))
        {
            throw node.Error($"{error}, or {None}");
        }
        return value;
    }

    /// <summary>
    /// A size in whole bytes, 0 or more: a size with a unit (<c>1MB</c>, with PostgreSQL's units)
    /// or, where <paramref name="allowBareBytes"/>, a plain whole number of bytes, as Patroni reads
    /// <c>maximum_lag_on_failover: 1048576</c>.
    /// </summary>
    public static long ReadSize(this ModelNode node, bool allowBareBytes)
    {
        var expected = allowBareBytes ? $"{ByteText.ExpectedSize}, or a whole number of bytes" : ByteText.ExpectedSize;
        var scalar = node.AsScalar(expected);
        var kind = YamlScalars.Resolve(scalar);
        if (allowBareBytes && kind == ScalarKind.Integer)
        {
            return node.ReadInteger(0, long.MaxValue);
        }
        if (kind != ScalarKind.String)
        {
            throw node.Error($"expected {expected}, found {node.Describe()}");
        }
        if (!ByteText.TryParseSize(scalar.Value, out var bytes, out var error))
        {
            throw node.Error(error);
        }
        return bytes >= 0 ? bytes : throw node.Error($"expected a size of 0B or more, found '{scalar.Value}'");
    }

    public static LatencyDistribution ReadLatency(this ModelNode node)
    {
        var text = node.ReadText(ExpectedLatency);
        return LatencyDistribution.TryParse(text, out var distribution, out var error)
            ? distribution
            : throw DistributionError(node, error);
    }

    public static SizeDistribution ReadSizeDistribution(this ModelNode node)
    {
        var text = node.ReadText(ExpectedSize);
        return SizeDistribution.TryParse(text, out var distribution, out var error)
            ? distribution
            : throw DistributionError(node, error);
    }

    /// <summary>A rate in bytes per second, greater than zero; <c>unlimited</c> (+infinity) where <paramref name="allowUnlimited"/>.</summary>
    public static double ReadRate(this ModelNode node, bool allowUnlimited)
    {
        var expected = allowUnlimited ? $"{ByteText.ExpectedRate}, or {Unlimited}" : ByteText.ExpectedRate;
        var text = node.ReadText(expected);
        if (allowUnlimited && text == Unlimited)
        {
            return double.PositiveInfinity;
        }
        if (!ByteText.TryParseRate(text, out var bytesPerSecond, out var error))
        {
            throw node.Error(allowUnlimited ? $"{error}, or {Unlimited}" : error);
        }
        return bytesPerSecond > 0 ? bytesPerSecond : throw node.Error($"expected a rate greater than 0, found '{text}'");
    }

    private static Duration ReadDuration(this ModelNode node)
    {
        var text = node.ReadText(DurationText.Expected);
        return DurationText.TryParse(text, out var value, out var error) ? value : throw node.Error(error);
    }

    /// <summary>
    /// Points into the scalar at the column the distribution parser found the problem, and
    /// repeats that column relative to the distribution's text (1-based, like file columns),
    /// which is what a reader can count when the value was written with quotes or escapes.
    /// </summary>
    private static ModelLoadException DistributionError(ModelNode node, DistributionParseError error)
    {
        var scalar = (YamlScalarNode)node.Yaml;
        var mark = node.Source.Locate(scalar, error.Column);
        return node.ErrorAt(mark, string.Create(CultureInfo.InvariantCulture, $"at column {error.Column + 1} of the distribution: {error.Reason}"));
    }

    /// <summary>A quoted number where a number is expected ("2000") is text: the quotes must go.</summary>
    private static string UnquoteHint(YamlScalarNode scalar) =>
        scalar.Style != ScalarStyle.Plain && double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            ? " (remove the quotes to make it a number)"
            : "";
}
