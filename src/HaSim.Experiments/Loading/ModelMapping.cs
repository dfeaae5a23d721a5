using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Loading;

/// <summary>
/// A mapping of the model file, opened with the keys it may hold. Unknown and missing keys are
/// rejected when it is opened, in document order, so a misspelt key is reported as such rather
/// than as the missing key it was meant to be.
/// </summary>
internal sealed class ModelMapping
{
    private readonly ModelNode _node;
    private readonly List<(string Key, ModelNode Value)> _entries = [];

    public ModelMapping(ModelNode node, YamlMappingNode mapping, IReadOnlyList<string> allowedKeys, IReadOnlyList<string> requiredKeys)
    {
        _node = node;
        foreach (var (key, value) in mapping.Children)
        {
            // YamlDotNet rejects duplicate keys while parsing, so only the key's form is checked here.
            if (key is not YamlScalarNode { Value: { Length: > 0 } name })
            {
                throw node.Source.Error(key.Start, $"keys {node.Where} must be words; allowed keys: {string.Join(", ", allowedKeys)}");
            }
            if (!allowedKeys.Contains(name, StringComparer.Ordinal))
            {
                throw node.Source.Error(key.Start,
                    $"unknown key '{name}' {node.Where}{Spelling.Hint(name, allowedKeys)}; allowed keys: {string.Join(", ", allowedKeys)}");
            }
            _entries.Add((name, node.Child(value, name)));
        }
        foreach (var required in requiredKeys)
        {
            if (Optional(required) is null)
            {
                throw node.Error($"missing key '{required}'; required keys: {string.Join(", ", requiredKeys)}");
            }
        }
    }

    /// <summary>The mapping itself, for errors about a combination of its keys.</summary>
    public ModelNode Node => _node;

    /// <summary>The value under <paramref name="key"/>, or null when the key is absent.</summary>
    public ModelNode? Optional(string key)
    {
        foreach (var entry in _entries)
        {
            if (entry.Key == key)
            {
                return entry.Value;
            }
        }
        return null;
    }

    /// <summary>The value under a key listed as required when the mapping was opened.</summary>
    public ModelNode Required(string key) =>
        Optional(key) ?? throw new InvalidOperationException($"'{key}' was not declared as a required key");
}
