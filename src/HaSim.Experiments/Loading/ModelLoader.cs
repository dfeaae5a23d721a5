using System.Reflection;
using HaSim.Model.Spec;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Loading;

/// <summary>
/// Loads model files (docs/model-format.md) into a validated <see cref="ClusterSpec"/>. Every
/// problem, from a YAML syntax error to a standby name that is not a standby, becomes one
/// <see cref="ModelLoadException"/> naming the file, line, column and what is allowed; the first
/// problem in reading order is the one reported, so the message is the same on every run.
/// </summary>
public static class ModelLoader
{
    /// <summary>The manifest resource name of the embedded lesson model (models/lesson.yaml).</summary>
    public const string DefaultResourceName = "HaSim.Experiments.lesson.yaml";

    /// <summary>The source name that errors in the embedded model carry.</summary>
    public const string DefaultSourceName = "embedded:lesson.yaml";

    /// <summary>Loads the model file at <paramref name="path"/>; errors name the path as given.</summary>
    public static ClusterSpec LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ModelLoadException(path, 0, 0, $"cannot read the model file: {e.Message}");
        }
        return LoadText(text, path);
    }

    /// <summary>Loads a model from its YAML text; <paramref name="sourceName"/> names it in errors and gives the default model name.</summary>
    public static ClusterSpec LoadText(string yaml, string sourceName)
    {
        var source = new ModelSource(sourceName, yaml);
        var root = Parse(source, yaml);
        return ClusterReader.Read(new ModelNode(source, root, ""), Path.GetFileNameWithoutExtension(sourceName));
    }

    /// <summary>Loads the lesson model embedded in this assembly: one region, three zones, a FIRST 1 synchronous standby.</summary>
    public static ClusterSpec LoadDefault()
    {
        using var stream = typeof(ModelLoader).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new InvalidOperationException(
                $"the embedded model '{DefaultResourceName}' is missing from {typeof(ModelLoader).Assembly.GetName().Name}; its project must embed models/lesson.yaml under that name");
        using var reader = new StreamReader(stream);
        return LoadText(reader.ReadToEnd(), DefaultSourceName);
    }

    /// <summary>
    /// Reads one fault written as in a model's <c>faults</c> list, usually as a YAML flow mapping
    /// given on the command line (<c>{zone_outage: use1-az2, at: 20s, for: 90s}</c>), against
    /// the nodes, zones and regions of <paramref name="spec"/> and, when it has a failover
    /// section, its DCS members and clients (which the fault kinds that need failover require).
    /// </summary>
    public static IReadOnlyList<FaultSpec> LoadFault(ClusterSpec spec, string yaml, string sourceName)
    {
        var source = new ModelSource(sourceName, yaml);
        var topology = new Topology(spec.Regions, spec.Zones, spec.Nodes, roleNodes: [], spec.Failover);
        return [.. FaultReader.ReadOne(new ModelNode(source, Parse(source, yaml), ""), topology)];
    }

    /// <summary>The root node of the file's single YAML document.</summary>
    internal static YamlNode Parse(ModelSource source, string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw source.Error(e.Start, SyntaxReason(e.Message));
        }
        if (stream.Documents.Count == 0)
        {
            throw source.Error(Mark.Empty, $"the model is empty; a model is a mapping with at least the keys {string.Join(", ", ClusterReader.RequiredKeys)}");
        }
        if (stream.Documents.Count > 1)
        {
            throw source.Error(stream.Documents[1].RootNode.Start, "a second YAML document; a model file holds exactly one");
        }
        return stream.Documents[0].RootNode;
    }

    /// <summary>
    /// YamlDotNet reports a repeated key as a syntax error while building the tree, with the
    /// position of the repetition; its message is reworded to match ours. Other messages
    /// ("While scanning a plain scalar value, found invalid mapping.") are kept as they are.
    /// </summary>
    private static string SyntaxReason(string message)
    {
        const string DuplicateKey = "Duplicate key ";
        return message.StartsWith(DuplicateKey, StringComparison.Ordinal)
            ? $"duplicate key '{message[DuplicateKey.Length..]}'; a key may appear only once in a mapping"
            : $"invalid YAML: {message}";
    }
}
