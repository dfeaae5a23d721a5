using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Loading;

/// <summary>What a YAML scalar denotes under the YAML 1.2 core schema.</summary>
internal enum ScalarKind
{
    Null,
    Boolean,
    Integer,
    Float,
    String,
}

/// <summary>
/// Resolves scalars as the YAML 1.2 core schema does (the schema JSON-minded tools use), so that
/// the loader and the JSON Schema agree on what is a number, a boolean or a string: <c>2000</c> is
/// a number, <c>"2000"</c> a string, <c>true</c> a boolean, and <c>on</c>, <c>yes</c> and
/// <c>60s</c> are strings (YAML 1.1 read <c>on</c> as true; 1.2 does not).
/// </summary>
internal static partial class YamlScalars
{
    private const string StringTag = "tag:yaml.org,2002:str";

    public static ScalarKind Resolve(YamlScalarNode scalar)
    {
        // Only plain scalars are resolved by their text; quoted and block scalars are strings.
        if (scalar.Style != ScalarStyle.Plain || IsTaggedString(scalar))
        {
            return ScalarKind.String;
        }
        var text = scalar.Value ?? "";
        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => ScalarKind.Null,
            "true" or "True" or "TRUE" or "false" or "False" or "FALSE" => ScalarKind.Boolean,
            _ when IntegerPattern().IsMatch(text) => ScalarKind.Integer,
            _ when FloatPattern().IsMatch(text) || SpecialFloatPattern().IsMatch(text) => ScalarKind.Float,
            _ => ScalarKind.String,
        };
    }

    /// <summary>An explicit <c>!!str</c> makes any scalar a string (reading the value of an absent tag throws).</summary>
    private static bool IsTaggedString(YamlScalarNode scalar) =>
        !scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific && scalar.Tag.Value == StringTag;

    /// <summary>The value of a scalar that resolved to <see cref="ScalarKind.Boolean"/>.</summary>
    public static bool BooleanValue(YamlScalarNode scalar) => scalar.Value![0] is 't' or 'T';

    /// <summary>
    /// The value of a scalar that resolved to <see cref="ScalarKind.Integer"/> or
    /// <see cref="ScalarKind.Float"/>; NaN or an infinity for <c>.nan</c> and <c>.inf</c>.
    /// </summary>
    public static double NumberValue(YamlScalarNode scalar)
    {
        var text = scalar.Value!;
        if (SpecialFloatPattern().IsMatch(text))
        {
            return text.EndsWith("nan", StringComparison.OrdinalIgnoreCase) ? double.NaN
                : text[0] == '-' ? double.NegativeInfinity
                : double.PositiveInfinity;
        }
        return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$", RegexOptions.CultureInvariant)]
    private static partial Regex SpecialFloatPattern();
}
