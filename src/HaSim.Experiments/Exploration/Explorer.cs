using System.Globalization;
using System.Text;
using HaSim.Experiments.Loading;
using HaSim.Experiments.Runs;
using HaSim.Experiments.Sweeps;
using HaSim.Model.Spec;
using HaSim.Primitives;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Exploration;

/// <summary>One explored seed: what was drawn, how the run went, and what the checkers found.</summary>
public sealed record ExploredSeed(ulong Seed, string Fingerprint, IReadOnlyList<SwarmKindSettings> Enabled, int Faults, IReadOnlyList<string> Violations, string ReproText);

/// <summary>
/// <c>hasim explore</c>: per seed, a swarm-drawn fault schedule over a fault phase, then a phase
/// with every fault healed in which liveness is judged; every run checked against the invariants.
/// Each seed's run is the repro file it would be saved as, loaded like any model, so replaying
/// that file with the seed gives the same trace hash.
/// </summary>
public static class Explorer
{
    public static IReadOnlyList<ExploredSeed> Run(string modelPath, IReadOnlyList<ulong> seeds, Duration faultPhase, int jobs, Action<int, int>? progress = null)
    {
        var text = File.ReadAllText(modelPath);
        var spec = ModelLoader.LoadText(text, modelPath);
        if (spec.Failover is null)
        {
            throw new ModelLoadException(modelPath, 0, 0, "exploring needs a model with a failover section: without automatic failover there is nothing to break");
        }
        var results = new ExploredSeed[seeds.Count];
        var done = 0;
        var sync = new Lock();
        Parallel.For(0, seeds.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs) }, i =>
        {
            results[i] = Explore(modelPath, text, spec, seeds[i], faultPhase);
            lock (sync)
            {
                progress?.Invoke(++done, seeds.Count);
            }
        });
        return results;
    }

    public static ExploredSeed Explore(string modelPath, string modelText, ClusterSpec spec, ulong seed, Duration faultPhase)
    {
        var warmup = Duration.FromSeconds(10); // every agent has run a cycle
        var (enabled, faults) = SwarmSchedule.Draw(spec, seed, faultPhase, warmup);
        var liveness = ModelRun.OptionsFor(spec.Failover!).LivenessBound + Duration.FromSeconds(30);
        var duration = warmup + faultPhase + liveness;
        var repro = ReproText(modelPath, modelText, spec, seed, enabled, faults, duration);
        var reproSpec = ModelLoader.LoadText(repro, $"repro of {modelPath}, seed {seed}");
        // Only the verdicts and the trace hash are kept: the run skips its statistics and the RTO
        // meters, which changes neither (replaying the repro with hasim run measures, and prints the
        // same trace hash and verdicts).
        var run = ModelRun.Execute(reproSpec, seed, measure: false);
        var violations = run.Report.Failure is not null ? ["run failure: " + run.Report.Failure] : run.Verdicts!.Violations;
        run.History?.ReleaseCommits(); // only the verdicts are kept: the next seed on this thread reuses the storage
        return new ExploredSeed(seed, run.Report.Fingerprint, enabled, faults.Count, violations, repro);
    }

    /// <summary>The model with the drawn schedule (and, from a shrink, a simplified workload) written in: a model file, commented with how it came about.</summary>
    public static string ReproText(string modelPath, string modelText, ClusterSpec spec, ulong seed,
        IReadOnlyList<SwarmKindSettings> enabled, IReadOnlyList<FaultSpec> faults, Duration duration, string? header = null,
        WorkloadOverride? workload = null)
    {
        var source = new ModelSource(modelPath, modelText);
        var root = (YamlMappingNode)ModelLoader.Parse(source, modelText);
        foreach (var key in new[] { "duration", "warmup", "faults" })
        {
            root.Children.Remove(new YamlScalarNode(key));
        }
        workload?.Apply(root);
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var model = writer.ToString();
        model = model.EndsWith("...\n", StringComparison.Ordinal) ? model[..^4] : model;

        var text = new StringBuilder();
        text.Append(header ?? $"# A fault schedule drawn by hasim explore from {modelPath}, seed {seed}.").Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"# Replay it: hasim run THIS_FILE --seed {seed}\n");
        text.Append(CultureInfo.InvariantCulture, $"# Explain it: hasim replay THIS_FILE --seed {seed}\n");
        if (enabled.Count > 0)
        {
            text.Append("# Fault kinds drawn for this seed (rate, longest fault): ")
                .AppendJoin("; ", enabled.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Kind} {k.PerMinute:0.##}/min up to {k.LongestFault}")))
                .Append('\n');
        }
        text.Append(model);
        text.Append(CultureInfo.InvariantCulture, $"duration: {duration}\nwarmup: 0s\n");
        if (faults.Count > 0)
        {
            text.Append("faults:\n");
            foreach (var fault in faults)
            {
                text.Append("  - ").Append(FaultYaml.Write(fault, spec)).Append('\n');
            }
        }
        return text.ToString();
    }
}
