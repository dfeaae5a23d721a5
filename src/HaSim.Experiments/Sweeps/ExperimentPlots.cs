using HaSim.Experiments.Loading;
using HaSim.Experiments.Plots;
using HaSim.Experiments.Runs;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Sweeps;

/// <summary>
/// A figure an experiment file asks for (its <c>plots</c> list), drawn by <c>hasim sweep</c> once
/// the outputs are written: <c>lines</c> (stats.csv), <c>box</c> (runs.csv), <c>cdf</c>
/// (latency_cdf.csv), or <c>timeline</c> (one configuration and seed, run again with its history).
/// </summary>
public sealed record PlotRequest(string Kind, string File, PlotOptions Template, IReadOnlyDictionary<string, string> Run, ulong Seed);

internal static class ExperimentPlotReader
{
    private static readonly string[] Kinds = ["lines", "box", "cdf", "timeline"];
    private static readonly string[] Keys = ["kind", "file", "title", "x", "series", "metric", "metrics", "where", "x_label", "y_label", "log_x", "log_y", "width", "height", "run", "seed"];

    public static List<PlotRequest> Read(ModelNode list, IReadOnlyList<string> parameters)
    {
        var requests = new List<PlotRequest>();
        foreach (var item in list.AsNonEmptyList("plot"))
        {
            var mapping = item.AsMapping(Keys, ["kind", "file"]);
            var kindNode = mapping.Required("kind");
            var kind = kindNode.ReadWord("plot kind", [.. Kinds.Select(k => (k, k))], StringComparison.Ordinal);
            var file = mapping.Required("file").ReadString("an image file name ending in .png or .svg");
            if (!file.EndsWith(".png", StringComparison.OrdinalIgnoreCase) && !file.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
            {
                throw mapping.Required("file").Error($"'{file}' must end in .png or .svg");
            }
            string? Text(string key) => mapping.Optional(key)?.ReadString(key);
            string[] Texts(string key) => mapping.Optional(key) is { } node
                ? node.Yaml is YamlSequenceNode ? [.. node.AsNonEmptyList(key).Select(n => n.ReadString(key))] : [node.ReadString(key)]
                : [];
            string Parameter(string key)
            {
                var node = mapping.Optional(key) ?? throw mapping.Node.Error($"a {kind} plot needs '{key}': one of the grid's axes ({string.Join(", ", parameters)})");
                var name = node.ReadString(key);
                return parameters.Contains(name) ? name : throw node.Error($"unknown axis '{name}'{Spelling.Hint(name, parameters)}; axes: {string.Join(", ", parameters)}");
            }
            var width = (int)(mapping.Optional("width")?.ReadInteger(200, 10_000) ?? PlotOptions.DefaultWidth);
            var height = (int)(mapping.Optional("height")?.ReadInteger(200, 10_000) ?? PlotOptions.DefaultHeight);
            var logX = mapping.Optional("log_x")?.ReadBoolean() ?? false;
            PlotOptions template = kind switch
            {
                "lines" => new LinesPlotOptions
                {
                    Input = "", Output = "", X = Parameter("x"), Series = Texts("series"),
                    Metrics = mapping.Optional("metrics") is not null ? Texts("metrics") : [Text("metric") ?? throw mapping.Node.Error("a lines plot needs 'metric' or 'metrics'")],
                    XLabel = Text("x_label"), YLabel = Text("y_label"), LogX = logX,
                    LogY = mapping.Optional("log_y")?.ReadBoolean() ?? false,
                },
                "box" => new BoxPlotOptions
                {
                    Input = "", Output = "", X = Parameter("x"), Series = Texts("series"),
                    Metric = Text("metric") ?? throw mapping.Node.Error("a box plot needs 'metric'"),
                    XLabel = Text("x_label"), YLabel = Text("y_label"),
                },
                "cdf" => new CdfPlotOptions { Input = "", Output = "", LogX = logX },
                _ => new TimelinePlotOptions { Input = "", Output = "" },
            };
            template = template with { Title = Text("title"), Where = Texts("where"), Width = width, Height = height };
            var run = new Dictionary<string, string>(StringComparer.Ordinal);
            if (kind == "timeline")
            {
                var runNode = mapping.Optional("run") ?? throw mapping.Node.Error("a timeline plot needs 'run': the axis values of the configuration to show, e.g. { design: async }");
                if (runNode.Yaml is not YamlMappingNode runMapping)
                {
                    throw runNode.Error("expected a mapping of axis names to values");
                }
                foreach (var (key, value) in runMapping.Children)
                {
                    var axis = runNode.Key(key).ReadName("an axis");
                    if (!parameters.Contains(axis))
                    {
                        throw runNode.Key(key).Error($"unknown axis '{axis}'{Spelling.Hint(axis, parameters)}; axes: {string.Join(", ", parameters)}");
                    }
                    run[axis] = runNode.Child(value, axis).ReadString("a value of that axis");
                }
            }
            var seed = (ulong)(mapping.Optional("seed")?.ReadInteger(0, long.MaxValue) ?? 1);
            requests.Add(new PlotRequest(kind, file, template, run, seed));
        }
        return requests;
    }
}

/// <summary>Draws an experiment's figures from a finished sweep's outputs.</summary>
public static class ExperimentPlots
{
    /// <summary>Draws every figure of <paramref name="experiment"/> into <paramref name="plotDirectory"/>; returns what was written.</summary>
    public static IReadOnlyList<PlotResult> Draw(Experiment experiment, string resultsDirectory, string plotDirectory)
    {
        Directory.CreateDirectory(plotDirectory);
        var results = new List<PlotResult>();
        foreach (var request in experiment.Plots)
        {
            var output = Path.Combine(plotDirectory, request.File);
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            results.Add(request.Template switch
            {
                LinesPlotOptions lines => LinesFigure.Draw(lines with { Input = Path.Combine(resultsDirectory, SweepOutputs.StatsFile), Output = output }),
                BoxPlotOptions box => BoxFigure.Draw(box with { Input = Path.Combine(resultsDirectory, SweepOutputs.RunsFile), Output = output }),
                CdfPlotOptions cdf => CdfFigure.Draw(cdf with { Input = Path.Combine(resultsDirectory, SweepOutputs.LatencyCdfFile), Output = output }),
                TimelinePlotOptions timeline => DrawTimeline(experiment, request, timeline, resultsDirectory, output),
                _ => throw new InvalidOperationException($"unknown plot {request.Kind}"),
            });
        }
        return results;
    }

    /// <summary>Runs the chosen configuration and seed again (same seed, same run), writes its timeline files, and draws them.</summary>
    private static PlotResult DrawTimeline(Experiment experiment, PlotRequest request, TimelinePlotOptions options, string resultsDirectory, string output)
    {
        var configuration = experiment.Configurations.FirstOrDefault(c =>
            request.Run.All(kv => c.Values[experiment.Parameters.ToList().IndexOf(kv.Key)] == kv.Value))
            ?? throw new SweepException($"{experiment.File}: plot {request.File}: no configuration has {string.Join(", ", request.Run.Select(kv => $"{kv.Key}={kv.Value}"))}");
        if (configuration.Spec.Failover is null)
        {
            throw new SweepException($"{experiment.File}: plot {request.File}: a timeline needs a model with a failover section");
        }
        var run = ModelRun.Execute(configuration.Spec, request.Seed);
        var directory = Path.Combine(resultsDirectory, "timeline-" + Path.GetFileNameWithoutExtension(request.File));
        Directory.CreateDirectory(directory);
        RunCsv.Write(Path.Combine(directory, TimelineCsv.TimelineFile), TimelineCsv.TimelineRows(run, configuration.Spec));
        RunCsv.Write(Path.Combine(directory, TimelineCsv.WritesFile), TimelineCsv.WritesRows(run, configuration.Spec));
        return TimelineFigure.Draw(options with { Input = directory, Output = output, Seed = request.Seed });
    }
}
