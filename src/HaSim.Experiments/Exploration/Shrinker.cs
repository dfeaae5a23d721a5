using System.Globalization;
using HaSim.Experiments.Loading;
using HaSim.Experiments.Runs;
using HaSim.Kernel.Distributions;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Exploration;

/// <summary>
/// What shrinking found: the smallest schedule that still violates the invariant, the simplified
/// workload, every accepted step in words, and how many runs it took.
/// </summary>
public sealed record ShrinkResult(string Invariant, IReadOnlyList<FaultSpec> Original, IReadOnlyList<FaultSpec> Shrunk, int Runs, string Fingerprint, string ReproText)
{
    public WorkloadSpec OriginalWorkload { get; init; } = null!;
    public WorkloadSpec Workload { get; init; } = null!;

    /// <summary>Each accepted step, in order ("dropped ...", "shortened ...", "moved ...", "halved the rate ...").</summary>
    public IReadOnlyList<string> Steps { get; init; } = [];
}

/// <summary>
/// <c>hasim shrink</c>: minimises a repro while the same invariant still fails, with the same seed.
/// First delta debugging (Zeller's ddmin) drops faults, in halves, then quarters, down to single
/// faults; then each remaining fault is shortened by halves; then moved earlier (to the start,
/// else by halves of the distance to it); then the workload is simplified: its rate (or its
/// closed-loop clients) halved down to one, and transaction sizes fixed at their median. Every
/// candidate is a full deterministic run, kept only when the same invariant still fails, so the
/// result replays exactly.
/// </summary>
public static class Shrinker
{
    public static ShrinkResult Shrink(string reproPath, ulong seed, string? invariant = null, Action<string>? log = null)
    {
        var text = File.ReadAllText(reproPath);
        var spec = ModelLoader.LoadText(text, reproPath);
        var first = ModelRun.Execute(spec, seed, measure: false); // shrinking judges histories only
        var target = invariant ?? first.Verdicts?.Violations.FirstOrDefault()
            ?? throw new ModelLoadException(reproPath, 0, 0, $"with seed {seed} the run violates no invariant: nothing to shrink");
        if (first.Verdicts?.Violations.Contains(target) != true)
        {
            throw new ModelLoadException(reproPath, 0, 0, $"with seed {seed} the run does not violate '{target}' (it violates: {string.Join(", ", first.Verdicts?.Violations ?? [])})");
        }
        var runs = 1;
        var workload = spec.Workload;
        var steps = new List<string>();
        void Step(string step)
        {
            steps.Add(step);
            log?.Invoke(step);
        }
        bool Fails(IReadOnlyList<FaultSpec> faults) => FailsWith(faults, workload);
        bool FailsWith(IReadOnlyList<FaultSpec> faults, WorkloadSpec load)
        {
            runs++;
            return ModelRun.Execute(spec with { Faults = faults, Workload = load }, seed, measure: false).Verdicts?.Violations.Contains(target) == true;
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
                    var dropped = current.Skip(start).Take(size).Select(f => FaultText.Describe(f, spec));
                    current = complement;
                    chunks = Math.Max(chunks - 1, 2);
                    reduced = true;
                    Step($"dropped {string.Join("; ", dropped)}: {current.Count} faults still violate {target}");
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
            Step($"dropped {FaultText.Describe(current[0], spec)}: the model violates {target} without any fault");
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
                Step($"shortened {FaultText.What(current[i], spec)} at {current[i].At} from {length} to {candidate[i].For}");
                current = candidate;
            }
        }

        // Move each fault earlier: to the start of the run, else by halves of the distance to it.
        current = MoveEarlier(current, Fails, (fault, start) => Step($"moved {FaultText.What(fault, spec)} from {fault.At} to {start}"));

        // Simplify the workload: halve the rate (or the closed-loop clients) down to one, then fix the transaction size at its median.
        while (workload.OpenLoopRate is { } rate && rate / 2 >= MinimumRate)
        {
            var candidate = workload with { OpenLoopRate = rate / 2 };
            if (!FailsWith(current, candidate))
            {
                break;
            }
            Step(string.Create(CultureInfo.InvariantCulture, $"halved the workload rate from {rate:R}/s to {rate / 2:R}/s"));
            workload = candidate;
        }
        while (workload.ClosedLoop is { Clients: > 1 } closed)
        {
            var candidate = workload with { ClosedLoop = closed with { Clients = closed.Clients / 2 } };
            if (!FailsWith(current, candidate))
            {
                break;
            }
            Step(string.Create(CultureInfo.InvariantCulture, $"halved the closed-loop clients from {closed.Clients} to {closed.Clients / 2}"));
            workload = candidate;
        }
        if (workload.TransactionSize.Shape is not ConstantLatency)
        {
            var median = SizeDistribution.Constant(Math.Max(1, (long)Math.Round(workload.TransactionSize.Quantile(0.5))));
            var candidate = workload with { TransactionSize = median };
            if (FailsWith(current, candidate))
            {
                Step($"fixed the transaction size at its median, {median} (was {workload.TransactionSize})");
                workload = candidate;
            }
        }

        var repro = Explorer.ReproText(reproPath, text, spec, seed, [], current, spec.Warmup + spec.Duration,
            $"# The schedule of {reproPath} shrunk by hasim shrink to what still violates {target} with seed {seed}.",
            WorkloadOverride.Between(spec.Workload, workload));
        // The fingerprint of the file as written, so that replaying it is checked against exactly this.
        var final = ModelRun.Execute(ModelLoader.LoadText(repro, "shrunk repro"), seed, measure: false);
        runs++;
        if (final.Verdicts?.Violations.Contains(target) != true)
        {
            throw new InvalidOperationException($"the shrunk schedule no longer violates {target} once written out: a fault does not round-trip through its YAML form");
        }
        return new ShrinkResult(target, spec.Faults, current, runs, final.Report.Fingerprint, repro)
        {
            OriginalWorkload = spec.Workload,
            Workload = workload,
            Steps = steps,
        };
    }

    /// <summary>
    /// Moves each fault's start earlier while <paramref name="fails"/> still holds: first to the
    /// start of the run, then by halves of the distance to it (from wherever it has got to), down to
    /// moves of <see cref="MinimumMove"/>; starts are whole milliseconds. <paramref name="moved"/>
    /// hears each accepted move (the fault before it, and its new start).
    /// </summary>
    internal static List<FaultSpec> MoveEarlier(List<FaultSpec> faults, Func<IReadOnlyList<FaultSpec>, bool> fails, Action<FaultSpec, Duration> moved)
    {
        var current = faults.ToList();
        for (var i = 0; i < current.Count; i++)
        {
            var distance = current[i].At;
            var triedStart = false;
            while (distance >= MinimumMove && current[i].At > Duration.Zero)
            {
                var start = WholeMilliseconds(current[i].At - distance);
                if (start >= current[i].At || (start.IsZero && triedStart))
                {
                    distance = Duration.FromNanosecondsRounded(distance.Nanoseconds / 2.0);
                    continue;
                }
                triedStart |= start.IsZero;
                var candidate = current.ToList();
                candidate[i] = WithStart(current[i], start);
                if (fails(candidate))
                {
                    moved(current[i], start);
                    current = candidate;
                    distance = Duration.Min(distance, current[i].At);
                }
                else
                {
                    distance = Duration.FromNanosecondsRounded(distance.Nanoseconds / 2.0);
                }
            }
        }
        return current;
    }

    /// <summary>Moves of a fault's start shorter than this are not tried.</summary>
    private static readonly Duration MinimumMove = Duration.FromSeconds(1);

    /// <summary>The workload rate is not halved below this many transactions per second.</summary>
    private const double MinimumRate = 1.0;

    private static Duration WholeMilliseconds(Duration d) =>
        Duration.FromMilliseconds(Math.Max(0, d.Nanoseconds / Duration.NanosPerMillisecond));

    // Every fault kind is a FaultSpec record: `with` copies the derived record and sets its start or length.
    private static FaultSpec WithStart(FaultSpec fault, Duration start) => fault with { At = start };

    private static FaultSpec WithLength(FaultSpec fault, Duration length) => fault with { For = length };
}
