using System.Globalization;
using System.IO.Hashing;
using System.Text;
using HaSim.Experiments.Loading;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Sweeps;

/// <summary>
/// Reads experiment files (docs/experiment-format.md). Every problem is one
/// <see cref="ModelLoadException"/> naming the experiment file, line and column: a grid value
/// that makes the model invalid is reported at the value, with the model loader's reason.
/// </summary>
public static class ExperimentLoader
{
    private static readonly string[] Keys = ["name", "model", "seeds", "set", "grid", "plots"];
    private const long MaxSeeds = 100_000;
    private const int MaxConfigurations = 100_000;

    /// <summary>Reads the experiment file at <paramref name="path"/>; <paramref name="seeds"/>, when given, replaces its seeds with 1..seeds.</summary>
    public static Experiment LoadFile(string path, int? seeds = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ModelLoadException(path, 0, 0, $"cannot read the experiment file: {e.Message}");
        }
        return LoadText(text, path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", seeds);
    }

    /// <summary>Reads an experiment from its text; <paramref name="directory"/> is where its model path is relative to.</summary>
    public static Experiment LoadText(string text, string sourceName, string directory, int? seedsOverride = null)
    {
        var source = new ModelSource(sourceName, text);
        var root = new ModelNode(source, ModelLoader.Parse(source, text), "");
        var mapping = root.AsMapping(Keys, ["model", "seeds", "grid"]);
        var name = mapping.Optional("name")?.ReadName("an experiment name") ?? Path.GetFileNameWithoutExtension(sourceName);

        var modelNode = mapping.Required("model");
        var modelPath = Path.Combine(directory, modelNode.ReadString("the path of the base model file"));
        string modelText;
        try
        {
            modelText = File.ReadAllText(modelPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw modelNode.Error($"cannot read the base model '{modelPath}': {e.Message}");
        }
        var modelSource = new ModelSource(modelPath, modelText);
        // Loading the base model first reports its own errors against its own file.
        ModelLoader.LoadText(modelText, modelPath);

        var seeds = seedsOverride is { } count ? [.. Enumerable.Range(1, count).Select(i => (ulong)i)] : ReadSeeds(mapping.Required("seeds"));
        var common = mapping.Optional("set") is { } set ? ReadAssignments(set) : [];
        var axes = ReadAxes(mapping.Required("grid"));

        var points = 1L;
        foreach (var axis in axes)
        {
            points *= axis.Values.Count;
            if (points > MaxConfigurations)
            {
                throw mapping.Required("grid").Error($"the grid has more than {MaxConfigurations:N0} points; split the experiment");
            }
        }

        var configurations = new List<Configuration>();
        var hash = new XxHash64();
        var parameters = axes.Select(a => a.Name).ToArray();
        foreach (var point in Product(axes))
        {
            var model = (YamlMappingNode)DeepCopy(ModelLoader.Parse(modelSource, modelText));
            foreach (var assignment in common)
            {
                assignment.ApplyTo(model);
            }
            foreach (var value in point)
            {
                foreach (var assignment in value.Assignments)
                {
                    assignment.ApplyTo(model);
                }
            }
            var patched = Serialize(model);
            var values = point.Select(v => v.Label).ToArray();
            var label = string.Join(", ", parameters.Select((p, i) => $"{p}={values[i]}"));
            Model.Spec.ClusterSpec spec;
            try
            {
                spec = ModelLoader.LoadText(patched, $"{modelPath} [{label}]");
            }
            catch (ModelLoadException e)
            {
                var where = point.Count > 0 ? point[^1].Node : modelNode;
                throw where.Error($"configuration {label}: the model does not load: {e.Reason}");
            }
            configurations.Add(new Configuration(configurations.Count, values, spec));
            hash.Append(Encoding.UTF8.GetBytes(label + "\n" + patched + "\n"));
        }
        foreach (var seed in seeds)
        {
            hash.Append(BitConverter.GetBytes(seed));
        }
        var planHash = hash.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture);
        var plots = mapping.Optional("plots") is { } plotList ? ExperimentPlotReader.Read(plotList, parameters) : [];
        return new Experiment(name, sourceName, parameters, configurations, seeds, planHash, plots);
    }

    /// <summary><c>seeds: 20</c> runs seeds 1..20; <c>seeds: [3, 7]</c> runs those.</summary>
    private static ulong[] ReadSeeds(ModelNode node)
    {
        if (node.Yaml is YamlSequenceNode)
        {
            var seeds = node.AsNonEmptyList("seed").Select(s => (ulong)s.ReadInteger(0, long.MaxValue)).ToArray();
            if (seeds.Distinct().Count() != seeds.Length)
            {
                throw node.Error("a seed is listed twice");
            }
            return seeds;
        }
        var count = node.ReadInteger(1, MaxSeeds, "seeds per configuration");
        return [.. Enumerable.Range(1, (int)count).Select(i => (ulong)i)];
    }

    private sealed record Axis(string Name, IReadOnlyList<AxisValue> Values);

    private sealed record AxisValue(string Label, ModelNode Node, IReadOnlyList<Assignment> Assignments);

    /// <summary>
    /// <c>grid</c>: each key is an axis. A list is the values of one model path
    /// (<c>network.cross_zone: [250us, 1ms]</c>); a mapping is a named axis whose values are named
    /// bundles of assignments (<c>design: { async: {...}, first1: {...} }</c>).
    /// </summary>
    private static List<Axis> ReadAxes(ModelNode grid)
    {
        if (grid.Yaml is not YamlMappingNode mapping || mapping.Children.Count == 0)
        {
            throw grid.Error("expected a mapping of at least one axis: a model path with a list of values, or a name with named variants");
        }
        var axes = new List<Axis>();
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = grid.Key(keyNode).ReadName("an axis: a model path such as network.cross_zone, or a name such as design");
            var axis = grid.Child(valueNode, key);
            var values = new List<AxisValue>();
            if (valueNode is YamlSequenceNode)
            {
                var path = ModelPath.Parse(grid.Key(keyNode));
                foreach (var item in axis.AsNonEmptyList("value"))
                {
                    values.Add(new AxisValue(LabelOf(item.Yaml), item, [new Assignment(path, item)]));
                }
            }
            else if (valueNode is YamlMappingNode variants && variants.Children.Count > 0)
            {
                foreach (var (variantKey, variantValue) in variants.Children)
                {
                    var variant = axis.Key(variantKey).ReadName("a variant name");
                    var body = axis.Child(variantValue, variant);
                    values.Add(new AxisValue(variant, body, ReadAssignments(body)));
                }
            }
            else
            {
                throw axis.Error("expected a list of values for this model path, or a mapping of named variants, each a mapping of model paths to values");
            }
            var labels = values.Select(v => v.Label).ToArray();
            if (labels.Distinct(StringComparer.Ordinal).Count() != labels.Length)
            {
                throw axis.Error("a value is listed twice on this axis");
            }
            axes.Add(new Axis(key, values));
        }
        return axes;
    }

    /// <summary>A mapping of model paths to values, e.g. <c>{ replication.synchronous_standby_names: null, duration: 30s }</c>.</summary>
    private static List<Assignment> ReadAssignments(ModelNode node)
    {
        if (node.Yaml is not YamlMappingNode mapping)
        {
            throw node.Error("expected a mapping of model paths to values, e.g. { replication.synchronous_commit: remote_apply }");
        }
        var assignments = new List<Assignment>();
        foreach (var (key, value) in mapping.Children)
        {
            var path = ModelPath.Parse(node.Key(key));
            assignments.Add(new Assignment(path, node.Child(value, path.Text)));
        }
        return assignments;
    }

    private static IEnumerable<IReadOnlyList<AxisValue>> Product(IReadOnlyList<Axis> axes)
    {
        IEnumerable<IReadOnlyList<AxisValue>> points = [[]];
        foreach (var axis in axes)
        {
            var current = points;
            points = current.SelectMany(point => axis.Values.Select(value => (IReadOnlyList<AxisValue>)[.. point, value]));
        }
        return points;
    }

    /// <summary>How a value appears in labels and CSV columns: a scalar's text, else its YAML flow form.</summary>
    private static string LabelOf(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value ?? "" : Serialize(node).Trim();

    internal static YamlNode DeepCopy(YamlNode node) => node switch
    {
        YamlScalarNode s => new YamlScalarNode(s.Value) { Style = s.Style, Tag = s.Tag },
        YamlSequenceNode q => new YamlSequenceNode(q.Children.Select(DeepCopy)) { Style = q.Style },
        YamlMappingNode m => new YamlMappingNode(m.Children.Select(kv => new KeyValuePair<YamlNode, YamlNode>(DeepCopy(kv.Key), DeepCopy(kv.Value)))) { Style = m.Style },
        _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
    };

    private static string Serialize(YamlNode node)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlDotNet closes a document with "..." (or "---" for a flow node); the loader wants one bare document.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text.TrimEnd('.', '\n', '\r') + "\n";
    }

    /// <summary>One path set to one value; a null value removes the key.</summary>
    private sealed record Assignment(ModelPath Path, ModelNode Value)
    {
        public void ApplyTo(YamlMappingNode model) => Path.Set(model, Value);
    }
}
