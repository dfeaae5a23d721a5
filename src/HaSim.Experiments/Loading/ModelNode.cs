using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Loading;

/// <summary>
/// A node of the model file with its path in the model (<c>nodes[1].zone</c>, empty at the top
/// level), so that every error names both where it is in the file and what it is. Structural
/// checks live here (is it a mapping, a list, a scalar); the value grammars are in
/// <see cref="ModelValues"/>.
/// </summary>
internal sealed class ModelNode(ModelSource source, YamlNode yaml, string path)
{
    public YamlNode Yaml => yaml;

    public ModelSource Source => source;

    /// <summary>The path for use inside a sentence: "in nodes[0]", "at the top level".</summary>
    public string Where => path.Length == 0 ? "at the top level" : $"in {path}";

    /// <summary>An error at the start of this node, prefixed with its path.</summary>
    public ModelLoadException Error(string reason) => ErrorAt(yaml.Start, reason);

    /// <summary>An error at a position inside this node (a character of a scalar), prefixed with its path.</summary>
    public ModelLoadException ErrorAt(Mark mark, string reason) =>
        source.Error(mark, path.Length == 0 ? reason : $"{path}: {reason}");

    public ModelNode Child(YamlNode child, string key) => new(source, child, path.Length == 0 ? key : $"{path}.{key}");

    /// <summary>
    /// A key of this mapping as a node with this mapping's path, for mappings whose keys are
    /// names (<c>failover.tags</c> is keyed by node name), so errors point at the key itself.
    /// </summary>
    public ModelNode Key(YamlNode key) => new(source, key, path);

    /// <summary>Opens this node as a mapping whose keys must all be among <paramref name="allowedKeys"/>.</summary>
    public ModelMapping AsMapping(IReadOnlyList<string> allowedKeys, IReadOnlyList<string>? requiredKeys = null)
    {
        var keys = string.Join(", ", allowedKeys);
        if (yaml is not YamlMappingNode mapping)
        {
            throw Error($"expected a mapping, found {Describe()}; allowed keys: {keys}");
        }
        return new ModelMapping(this, mapping, allowedKeys, requiredKeys ?? []);
    }

    /// <summary>Opens this node as a list of at least one <paramref name="item"/>.</summary>
    public IReadOnlyList<ModelNode> AsNonEmptyList(string item)
    {
        if (yaml is not YamlSequenceNode sequence)
        {
            throw Error($"expected a list of {item}s, found {Describe()}");
        }
        if (sequence.Children.Count == 0)
        {
            throw Error($"expected at least one {item}, found an empty list");
        }
        return [.. sequence.Children.Select((child, i) => new ModelNode(source, child, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]")))];
    }

    /// <summary>This node as a scalar; a mapping or a list is an error that says what was <paramref name="expected"/>.</summary>
    public YamlScalarNode AsScalar(string expected) =>
        yaml as YamlScalarNode ?? throw Error($"expected {expected}, found {Describe()}");

    /// <summary>What this node is, for "found ..." in messages: "a list", "the number 2000", "'abc'".</summary>
    public string Describe() => yaml switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar => YamlScalars.Resolve(scalar) switch
        {
            ScalarKind.Null => "an empty value",
            ScalarKind.Boolean => $"the boolean {scalar.Value}",
            ScalarKind.Integer or ScalarKind.Float => $"the number {scalar.Value}",
            _ => $"'{scalar.Value}'",
        },
        _ => "an unsupported YAML node",
    };
}
