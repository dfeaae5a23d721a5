using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HaSim.Experiments.Loading;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Tests.Loading;

/// <summary>
/// Converts a YAML document to the JSON that the schema validates, resolving scalars exactly as
/// the loader does (YAML 1.2 core schema): <c>2000</c> becomes a number, <c>60s</c> and <c>on</c> strings.
/// </summary>
internal static class YamlToJson
{
    public static JsonElement Convert(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var json = ToNode(stream.Documents[0].RootNode);
        return JsonSerializer.SerializeToElement(json);
    }

    private static JsonNode? ToNode(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToNode(kv.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToNode)]),
        YamlScalarNode scalar => YamlScalars.Resolve(scalar) switch
        {
            ScalarKind.Null => null,
            ScalarKind.Boolean => JsonValue.Create(YamlScalars.BooleanValue(scalar)),
            ScalarKind.Integer => JsonValue.Create(decimal.Parse(scalar.Value!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
            ScalarKind.Float => JsonValue.Create(YamlScalars.NumberValue(scalar)),
            _ => JsonValue.Create(scalar.Value),
        },
        _ => throw new NotSupportedException($"unexpected YAML node {node.GetType().Name}"),
    };
}
