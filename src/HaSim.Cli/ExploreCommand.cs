using System.CommandLine;
using System.Globalization;
using System.Text;
using HaSim.Experiments.Exploration;

namespace HaSim.Cli;

/// <summary><c>hasim explore MODEL --seeds N</c>: randomized fault schedules checked against the invariants.</summary>
internal static class ExploreCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "A model file with a failover section." };
        var seeds = new Option<int>("--seeds") { Description = "How many seeds to explore.", DefaultValueFactory = _ => 100 };
        var firstSeed = new Option<ulong>("--first-seed") { Description = "The first seed (seeds first..first+N-1).", DefaultValueFactory = _ => 1 };
        var faultPhase = new Option<string>("--fault-phase") { Description = "How long faults are drawn for, after a 10 s start; then every fault has healed and liveness is judged.", DefaultValueFactory = _ => "5m" };
        var jobs = new Option<int>("--jobs") { Description = "Seeds explored in parallel (default: the number of cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var output = new Option<string>("--out") { Description = "Where to write explore.csv and a repro file per violating seed.", DefaultValueFactory = _ => "explore" };
        var command = new Command("explore", "Swarm testing: per seed, draw fault kinds, rates and durations, run a fault phase and a healed phase, and check the invariants. Exits with 1 when any is violated.")
        {
            model, seeds, firstSeed, faultPhase, jobs, output,
        };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var count = parse.GetValue(seeds);
            if (count < 1)
            {
                throw new CliInputException($"--seeds: {count} is not a positive number of seeds");
            }
            if (parse.GetValue(jobs) < 1)
            {
                throw new CliInputException($"--jobs: {parse.GetValue(jobs)} is not a positive number");
            }
            var phase = CliErrors.PositiveDuration("--fault-phase", parse.GetValue(faultPhase)!);
            var path = parse.GetValue(model)!;
            var first = parse.GetValue(firstSeed);
            var list = Enumerable.Range(0, count).Select(i => first + (ulong)i).ToArray();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var lastTenth = -1;
            var results = Explorer.Run(path, list, phase, parse.GetValue(jobs), (done, total) =>
            {
                var tenth = done * 10 / total;
                if (tenth != lastTenth)
                {
                    lastTenth = tenth;
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"explore: {done}/{total} seeds, {clock.Elapsed.TotalSeconds:0.0}s"));
                }
            });
            clock.Stop();
            return Report(path, results, parse.GetValue(output)!, clock.Elapsed);
        }));
        return command;
    }

    private static int Report(string model, IReadOnlyList<ExploredSeed> results, string directory, TimeSpan elapsed)
    {
        Directory.CreateDirectory(directory);
        var csv = new StringBuilder("seed,trace,faults,enabled_kinds,violations\n");
        foreach (var r in results)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Seed},{r.Fingerprint.Split("trace=")[1]},{r.Faults},{string.Join(';', r.Enabled.Select(k => k.Kind))},{string.Join(';', r.Violations)}\n");
        }
        File.WriteAllText(Path.Combine(directory, "explore.csv"), csv.ToString());

        var violating = results.Where(r => r.Violations.Count > 0).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"explored {results.Count} seeds of {model} in {elapsed.TotalSeconds:0.0}s ({results.Count / elapsed.TotalMinutes:0} seeds/min): {violating.Length} with violations"));
        foreach (var invariant in new[] { "durability", "single-writer", "fresh-promotion", "liveness" })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {invariant,-16} {results.Count(r => r.Violations.Contains(invariant))} seeds"));
        }
        var failures = results.Count(r => r.Violations.Any(v => v.StartsWith("run failure", StringComparison.Ordinal)));
        if (failures > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"run failures",-16} {failures} seeds"));
        }
        foreach (var r in violating)
        {
            var repro = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"repro-seed-{r.Seed}.yaml"));
            File.WriteAllText(repro, r.ReproText.Replace("THIS_FILE", repro, StringComparison.Ordinal));
            Console.WriteLine($"{r.Fingerprint} {string.Join(", ", r.Violations)}");
            Console.WriteLine($"  replay: hasim run {repro} --seed {r.Seed}");
            Console.WriteLine($"  explain: hasim replay {repro} --seed {r.Seed}");
        }
        return violating.Length > 0 ? 1 : 0;
    }
}
