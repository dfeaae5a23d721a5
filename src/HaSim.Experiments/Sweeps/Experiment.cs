using System.Globalization;
using HaSim.Experiments.Loading;
using HaSim.Model.Spec;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Sweeps;

/// <summary>
/// An experiment file, read and expanded: a base model, overrides for every run, a grid of
/// parameters, and the seeds. Each point of the grid is a <see cref="Configuration"/> (the base
/// model with that point's values written into it, then loaded and validated like any model), and
/// each configuration runs once per seed. See docs/experiment-format.md.
/// </summary>
public sealed class Experiment
{
    internal Experiment(string name, string file, IReadOnlyList<string> parameters, IReadOnlyList<Configuration> configurations, IReadOnlyList<ulong> seeds, string planHash,
        IReadOnlyList<PlotRequest> plots)
    {
        Plots = plots;
        Name = name;
        File = file;
        Parameters = parameters;
        Configurations = configurations;
        Seeds = seeds;
        PlanHash = planHash;
    }

    public string Name { get; }

    /// <summary>The experiment file as given.</summary>
    public string File { get; }

    /// <summary>The grid's axes, in order: a model path (<c>network.cross_zone</c>) or a named axis (<c>design</c>).</summary>
    public IReadOnlyList<string> Parameters { get; }

    /// <summary>Every point of the grid, in grid order: the first axis varies slowest.</summary>
    public IReadOnlyList<Configuration> Configurations { get; }

    public IReadOnlyList<ulong> Seeds { get; }

    /// <summary>The figures <c>hasim sweep</c> draws after the run (the file's <c>plots</c> list).</summary>
    public IReadOnlyList<PlotRequest> Plots { get; }

    /// <summary>Fingerprint of everything that decides the results (each configuration's model text and the seeds): shards and resumed sweeps must agree on it.</summary>
    public string PlanHash { get; }

    /// <summary>Every run of the sweep in output order: by configuration, then seed.</summary>
    public IReadOnlyList<RunKey> Runs =>
        [.. Configurations.SelectMany(c => Seeds.Select(seed => new RunKey(c.Index, seed)))];
}

/// <summary>One point of the grid: its values (as written in the experiment file) and the model they give.</summary>
public sealed record Configuration(int Index, IReadOnlyList<string> Values, ClusterSpec Spec)
{
    /// <summary>e.g. <c>design=first1, network.cross_zone=500us</c>.</summary>
    public string Label(IReadOnlyList<string> parameters) =>
        string.Join(", ", parameters.Select((p, i) => $"{p}={Values[i]}"));
}

/// <summary>One run: a configuration and a seed.</summary>
public readonly record struct RunKey(int Config, ulong Seed) : IComparable<RunKey>
{
    public int CompareTo(RunKey other) => Config != other.Config ? Config.CompareTo(other.Config) : Seed.CompareTo(other.Seed);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"configuration {Config}, seed {Seed}");
}
