using HaSim.Experiments.Loading;
using HaSim.Experiments.Runs;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Exploration;

/// <summary>What shrinking found: the smallest schedule that still violates the invariant, and how many runs it took.</summary>
public sealed record ShrinkResult(string Invariant, IReadOnlyList<FaultSpec> Original, IReadOnlyList<FaultSpec> Shrunk, int Runs, string Fingerprint, string ReproText);

/// <summary>
/// <c>hasim shrink</c>: minimises a repro's fault schedule while the same invariant still fails,
/// with the same seed. First delta debugging (Zeller's ddmin) drops faults, in halves, then
/// quarters, down to single faults; then each remaining fault is shortened by halves while the
/// failure persists. Every candidate is a full deterministic run, so the result replays exactly.
/// </summary>
public static class Shrinker
{
    public static ShrinkResult Shrink(string reproPath, ulong seed, string? invariant = null, Action<string>? log = null)
    {
        var text = File.ReadAllText(reproPath);
        var spec = ModelLoader.LoadText(text, reproPath);
        var first = ModelRun.Execute(spec, seed);
        var target = invariant ?? first.Checks?.Violations.FirstOrDefault()
            ?? throw new ModelLoadException(reproPath, 0, 0, $"with seed {seed} the run violates no invariant: nothing to shrink");
        if (first.Checks?.Violations.Contains(target) != true)
        {
            throw new ModelLoadException(reproPath, 0, 0, $"with seed {seed} the run does not violate '{target}' (it violates: {string.Join(", ", first.Checks?.Violations ?? [])})");
        }
        var runs = 1;
        bool Fails(IReadOnlyList<FaultSpec> faults)
        {
            runs++;
            return ModelRun.Execute(spec with { Faults = faults }, seed).Checks?.Violations.Contains(target) == true;
        }

        // ddmin over the list of faults: try to keep only a complement of one chunk at a time.
        var current = spec.Faults.ToList();
        var chunks = 2;
        while (current.Count >= 2)
        {
            var size = (int)Math.Ceiling(current.Count / (double)chunks);
            var reduced = false;
            for (var start = 0; start < current.Count; start += size)
            {
                var complement = current.Take(start).Concat(current.Skip(start + size)).ToList();
                if (complement.Count > 0 && Fails(complement))
                {
                    current = complement;
                    chunks = Math.Max(chunks - 1, 2);
                    reduced = true;
                    log?.Invoke($"{current.Count} faults still violate {target}");
                    break;
                }
            }
            if (!reduced)
            {
                if (chunks >= current.Count)
                {
                    break;
                }
                chunks = Math.Min(current.Count, chunks * 2);
            }
        }
        if (current.Count == 1 && Fails([]))
        {
            current = []; // the model's own settings fail without any fault
        }

        // Shorten each fault by halves while the failure persists.
        for (var i = 0; i < current.Count; i++)
        {
            while (current[i].For is { } length && length >= Duration.FromSeconds(2))
            {
                var candidate = current.ToList();
                candidate[i] = WithLength(current[i], Duration.FromNanosecondsRounded(length.Nanoseconds / 2.0));
                if (!Fails(candidate))
                {
                    break;
                }
                current = candidate;
            }
        }

        var repro = Explorer.ReproText(reproPath, text, spec, seed, [], current, spec.Warmup + spec.Duration,
            $"# The schedule of {reproPath} shrunk by hasim shrink to what still violates {target} with seed {seed}.");
        // The fingerprint of the file as written, so that replaying it is checked against exactly this.
        var final = ModelRun.Execute(ModelLoader.LoadText(repro, "shrunk repro"), seed);
        runs++;
        if (final.Checks?.Violations.Contains(target) != true)
        {
            throw new InvalidOperationException($"the shrunk schedule no longer violates {target} once written out: a fault does not round-trip through its YAML form");
        }
        return new ShrinkResult(target, spec.Faults, current, runs, final.Report.Fingerprint, repro);
    }

    private static FaultSpec WithLength(FaultSpec fault, Duration length) => fault switch
    {
        PartitionFault p => p with { For = length },
        LinkFault l => l with { For = length },
        DiskStallFault d => d with { For = length },
        CrashFault c => c with { For = length },
        PauseFault p => p with { For = length },
        DcsMemberCrashFault m => m with { For = length },
        ClockDriftFault c => c with { For = length },
        _ => fault,
    };
}
