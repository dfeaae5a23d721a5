using System.CommandLine;
using System.Globalization;
using HaSim.Experiments.Exploration;
using HaSim.Model.Spec;

namespace HaSim.Cli;

/// <summary><c>hasim shrink REPRO --seed S</c>: the smallest fault schedule that still violates the invariant.</summary>
internal static class ShrinkCommand
{
    public static Command Create()
    {
        var repro = new Argument<string>("REPRO") { Description = "A repro file from hasim explore (or any model with faults)." };
        var seed = new Option<ulong>("--seed") { Description = "The seed the repro fails with.", Required = true };
        var invariant = new Option<string?>("--invariant") { Description = "The invariant to keep violated: durability, single-writer, fresh-promotion or liveness (default: the first the run violates)." };
        var output = new Option<string?>("--out") { Description = "Where to write the shrunk repro (default: beside REPRO, with -shrunk)." };
        var command = new Command("shrink", "Minimise a repro (drop faults, shorten them, move them earlier, then halve the workload rate and fix transaction sizes at their median) while the same invariant still fails with the same seed.")
        {
            repro, seed, invariant, output,
        };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var path = parse.GetValue(repro)!;
            var result = Shrinker.Shrink(path, parse.GetValue(seed), parse.GetValue(invariant), message => Console.Error.WriteLine("shrink: " + message));
            var target = parse.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(path) ?? ".", Path.GetFileNameWithoutExtension(path) + "-shrunk.yaml");
            File.WriteAllText(target, result.ReproText.Replace("THIS_FILE", target, StringComparison.Ordinal));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Invariant} still violated with {result.Shrunk.Count} of {result.Original.Count} faults, after {result.Runs} runs: {result.Fingerprint}"));
            var spec = HaSim.Experiments.Loading.ModelLoader.LoadFile(target);
            foreach (var fault in spec.Faults)
            {
                Console.WriteLine("  " + FaultText.Describe(fault, spec));
            }
            if (WorkloadOverride.Between(result.OriginalWorkload, result.Workload) is not null)
            {
                var load = result.Workload;
                Console.WriteLine("  workload: "
                    + string.Join(", ", new[]
                    {
                        load.OpenLoopRate is { } rate ? string.Create(CultureInfo.InvariantCulture, $"rate {rate:R}/s") : null,
                        load.ClosedLoop is { } closed ? string.Create(CultureInfo.InvariantCulture, $"{closed.Clients} clients") : null,
                        $"transaction size {load.TransactionSize}",
                    }.Where(part => part is not null))
                    + string.Create(CultureInfo.InvariantCulture, $" ({result.Steps.Count} steps in all)"));
            }
            Console.WriteLine($"replay: hasim run {target} --seed {parse.GetValue(seed)}");
            Console.WriteLine($"explain: hasim replay {target} --seed {parse.GetValue(seed)}");
            return 0;
        }));
        return command;
    }
}
