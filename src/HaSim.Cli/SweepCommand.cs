using System.CommandLine;
using System.Globalization;
using HaSim.Experiments.Sweeps;

namespace HaSim.Cli;

/// <summary><c>hasim sweep EXPERIMENT</c> and <c>hasim merge EXPERIMENT SHARD...</c>: parameter sweeps over seeds.</summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var experiment = new Argument<string>("EXPERIMENT") { Description = "An experiment file (YAML): a base model, a grid of parameters, the seeds." };
        var output = new Option<string?>("--out") { Description = "The results directory (default: results/ beside the experiment file, or results/shard-I-of-N for a shard). Rerunning the same command resumes it." };
        var shard = new Option<string?>("--shard") { Description = "Run only shard I of N (I/N, 0 <= I < N): runs r with r mod N = I, for spreading a sweep over machines; combine them with hasim merge." };
        var jobs = new Option<int>("--jobs") { Description = "Runs in parallel (default: the number of cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seeds = new Option<int?>("--seeds") { Description = "Run seeds 1..N instead of the experiment's seeds (a quick look, or a CI-sized run)." };

        var command = new Command("sweep", "Run every configuration of an experiment's grid over its seeds, in parallel, into runs.csv, stats.csv and latency_cdf.csv.")
        {
            experiment, output, shard, jobs, seeds,
        };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var file = parse.GetValue(experiment)!;
            var slice = Shard.Whole;
            if (parse.GetValue(shard) is { } text && !Shard.TryParse(text, out slice, out var error))
            {
                throw new CliInputException("--shard: " + error);
            }
            var count = parse.GetValue(jobs);
            if (count < 1)
            {
                throw new CliInputException($"--jobs: {count} is not a positive number of parallel runs");
            }
            var seedCount = parse.GetValue(seeds);
            if (seedCount is < 1)
            {
                throw new CliInputException($"--seeds: {seedCount} is not a positive number of seeds");
            }
            var loaded = ExperimentLoader.LoadFile(file, seedCount);
            var directory = parse.GetValue(output) ?? DefaultDirectory(file, slice);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"experiment {loaded.Name}: {loaded.Configurations.Count} configurations x {loaded.Seeds.Count} seeds = {loaded.Runs.Count} runs{(slice.IsWhole ? "" : $"; shard {slice}")}, into {directory}"));
            var display = new SweepProgressDisplay(loaded.Name);
            var records = Sweep.Run(loaded, directory, slice, count, display.Report, message => Console.Error.WriteLine("note: " + message));
            display.Finish();
            if (!slice.IsWhole)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"shard {slice} done: {records.Count} runs in {Path.Combine(directory, SweepJournal.FileName)}; combine the shards with hasim merge"));
                return 0;
            }
            Console.WriteLine($"wrote {SweepOutputs.RunsFile}, {SweepOutputs.StatsFile} and {SweepOutputs.LatencyCdfFile} to {directory}");
            // Figures go beside the experiment file (where its README finds them), or under --out when given.
            DrawPlots(loaded, directory, parse.GetValue(output) is null ? Path.Combine(ExperimentDirectory(file), "plots") : Path.Combine(directory, "plots"));
            return 0;
        }));
        return command;
    }

    public static Command CreateMerge()
    {
        var experiment = new Argument<string>("EXPERIMENT") { Description = "The experiment file the shards ran." };
        var shards = new Argument<string[]>("SHARD") { Description = "The shards' results directories.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Where to write the combined runs.csv, stats.csv and latency_cdf.csv.", Required = true };
        var mergeSeeds = new Option<int?>("--seeds") { Description = "The --seeds the shards ran with, if any." };
        var command = new Command("merge", "Combine the shard directories of one experiment into the outputs a single-machine sweep would write.")
        {
            experiment, shards, output, mergeSeeds,
        };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var loaded = ExperimentLoader.LoadFile(parse.GetValue(experiment)!, parse.GetValue(mergeSeeds));
            var directory = parse.GetValue(output)!;
            var records = Sweep.Merge(loaded, directory, parse.GetValue(shards)!);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"merged {records.Count} runs: wrote {SweepOutputs.RunsFile}, {SweepOutputs.StatsFile} and {SweepOutputs.LatencyCdfFile} to {directory}"));
            DrawPlots(loaded, directory, Path.Combine(directory, "plots"));
            return 0;
        }));
        return command;
    }

    private static void DrawPlots(Experiment experiment, string resultsDirectory, string plotDirectory)
    {
        try
        {
            foreach (var plot in ExperimentPlots.Draw(experiment, resultsDirectory, plotDirectory))
            {
                Console.WriteLine($"wrote {plot.Output}: {plot.Title}");
            }
        }
        catch (HaSim.Experiments.Plots.PlotInputException e)
        {
            throw new CliInputException($"{experiment.File}: a plot: {e.Message}");
        }
    }

    private static string ExperimentDirectory(string experimentFile) => Path.GetDirectoryName(experimentFile) is { Length: > 0 } d ? d : ".";

    private static string DefaultDirectory(string experimentFile, Shard shard)
    {
        var results = Path.Combine(ExperimentDirectory(experimentFile), "results");
        return shard.IsWhole ? results : Path.Combine(results, string.Create(CultureInfo.InvariantCulture, $"shard-{shard.Index}-of-{shard.Count}"));
    }
}

/// <summary>A progress bar with an ETA on a terminal; plain lines at every tenth otherwise (logs, CI).</summary>
internal sealed class SweepProgressDisplay(string name)
{
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private int _lastTenth = -1;
    private bool _drawn;

    public void Report(SweepProgress progress)
    {
        var fraction = progress.Total == 0 ? 1.0 : (double)progress.Done / progress.Total;
        var eta = progress.Eta is { } e ? string.Create(CultureInfo.InvariantCulture, $", ETA {e.TotalSeconds:0}s") : "";
        var resumed = progress.Resumed > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({progress.Resumed} resumed)") : "";
        if (_terminal)
        {
            var filled = (int)Math.Round(fraction * 30);
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
                $"\rsweep {name} [{new string('#', filled)}{new string('.', 30 - filled)}] {progress.Done}/{progress.Total} runs{resumed}, {progress.Elapsed.TotalSeconds:0}s{eta}   "));
            _drawn = true;
            return;
        }
        var tenth = (int)(fraction * 10);
        if (tenth != _lastTenth)
        {
            _lastTenth = tenth;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sweep {name}: {progress.Done}/{progress.Total} runs{resumed}, {progress.Elapsed.TotalSeconds:0.0}s elapsed{eta}"));
        }
    }

    public void Finish()
    {
        if (_drawn)
        {
            Console.Error.WriteLine();
        }
    }
}
