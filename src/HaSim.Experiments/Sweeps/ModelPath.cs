using System.Globalization;
using System.Text.RegularExpressions;
using HaSim.Experiments.Loading;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Sweeps;

/// <summary>
/// A path into a model file, as an experiment names a parameter: keys separated by dots, and a
/// list item by position or by its name: <c>network.cross_zone</c>, <c>failover.ttl</c>,
/// <c>nodes[1].zone</c>, <c>nodes[pg3].zone</c>. Setting a path creates the mappings it passes
/// through if they are missing (so <c>failover.ttl</c> works on a model without a failover
/// section); setting it to <c>null</c> removes the key.
/// </summary>
internal sealed partial class ModelPath
{
    private readonly (string Key, string? Item)[] _segments;
    private readonly ModelNode _node;

    private ModelPath(string text, (string Key, string? Item)[] segments, ModelNode node)
    {
        Text = text;
        _segments = segments;
        _node = node;
    }

    public string Text { get; }

    public static ModelPath Parse(ModelNode node)
    {
        var text = node.ReadName("a model path such as network.cross_zone or nodes[pg2].zone");
        var parts = text.Split('.');
        var segments = new (string, string?)[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var match = Segment().Match(parts[i]);
            if (!match.Success)
            {
                throw node.Error($"'{text}' is not a model path: '{parts[i]}' should be a key (letters, digits, _) optionally followed by [position] or [name]");
            }
            segments[i] = (match.Groups["key"].Value, match.Groups["item"].Success ? match.Groups["item"].Value : null);
        }
        return new ModelPath(text, segments, node);
    }

    /// <summary>Writes <paramref name="value"/> (copied) at this path in <paramref name="root"/>; a null value removes the key.</summary>
    public void Set(YamlMappingNode root, ModelNode value)
    {
        var current = root;
        for (var i = 0; i < _segments.Length; i++)
        {
            var (key, item) = _segments[i];
            var last = i == _segments.Length - 1;
            var keyNode = new YamlScalarNode(key);
            if (last && item is null)
            {
                if (IsNull(value.Yaml))
                {
                    current.Children.Remove(keyNode);
                }
                else
                {
                    current.Children[keyNode] = ExperimentLoader.DeepCopy(value.Yaml);
                }
                return;
            }
            if (!current.Children.TryGetValue(keyNode, out var child))
            {
                if (item is not null)
                {
                    throw _node.Error($"'{Text}': the model has no list '{key}' to pick [{item}] from");
                }
                child = new YamlMappingNode();
                current.Children[keyNode] = child;
            }
            if (item is not null)
            {
                if (child is not YamlSequenceNode list)
                {
                    throw _node.Error($"'{Text}': '{key}' in the model is not a list");
                }
                var index = IndexOf(list, item);
                if (last)
                {
                    if (IsNull(value.Yaml))
                    {
                        list.Children.RemoveAt(index);
                    }
                    else
                    {
                        list.Children[index] = ExperimentLoader.DeepCopy(value.Yaml);
                    }
                    return;
                }
                child = list.Children[index];
            }
            current = child as YamlMappingNode
                ?? throw _node.Error($"'{Text}': '{key}{(item is null ? "" : $"[{item}]")}' in the model is a value, not a mapping with keys below it");
        }
    }

    private int IndexOf(YamlSequenceNode list, string item)
    {
        if (int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            return position < list.Children.Count
                ? position
                : throw _node.Error($"'{Text}': position {position} is past the end of a list of {list.Children.Count}");
        }
        for (var i = 0; i < list.Children.Count; i++)
        {
            if (list.Children[i] is YamlMappingNode entry
                && entry.Children.TryGetValue(new YamlScalarNode("name"), out var name)
                && name is YamlScalarNode { Value: var value } && value == item)
            {
                return i;
            }
        }
        throw _node.Error($"'{Text}': no item named '{item}' in that list");
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "null" or "~" or "" or null };

    [GeneratedRegex(@"^(?<key>[A-Za-z_][A-Za-z0-9_]*)(\[(?<item>[^\[\]]+)\])?$")]
    private static partial Regex Segment();
}
