using System.CommandLine;
using System.Globalization;
using HaSim.Experiments.Plots;
using HaSim.Experiments.Replay;

namespace HaSim.Cli;

/// <summary><c>hasim replay REPRO [--seed S] [--out DIR]</c>: rerun a repro and explain it (narrative, Chrome trace, timeline figure).</summary>
internal static class ReplayCommand
{
    /// <summary>Timeline lines printed on the terminal; the rest are in narrative.txt (the verdicts and their evidence are always printed).</summary>
    private const int PrintedLines = 60;

    public static Command Create()
    {
        var repro = new Argument<string>("REPRO") { Description = "A repro file from hasim explore or hasim shrink (or any model with a failover section)." };
        var seed = new Option<ulong?>("--seed") { Description = "The run seed (default: the seed the repro file records in its '# Replay it' line)." };
        var output = new Option<string?>("--out") { Description = "Where to write narrative.txt, trace.json and timeline.png (default: beside REPRO, in NAME-replay/)." };
        var command = new Command("replay", "Rerun a repro exactly as hasim run does and explain it: the invariant verdicts, a narrative timeline, a Chrome trace (Perfetto) and a timeline figure. Exits with 1 when an invariant is violated.")
        {
            repro, seed, output,
        };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var path = parse.GetValue(repro)!;
            var replay = Replayer.Run(path, parse.GetValue(seed));
            var directory = parse.GetValue(output) ?? Replayer.DefaultDirectory(path);
            ReplayFiles files;
            try
            {
                files = Replayer.Write(replay, directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliInputException($"--out {directory}: cannot write the replay's files: {e.Message}");
            }
            catch (PlotInputException e)
            {
                throw new CliInputException($"{path}: cannot draw the timeline: {e.Message}");
            }
            Print(replay, files);
            return replay.Checks.AllHold ? 0 : 1;
        }));
        return command;
    }

    private static void Print(ReplayedRun replay, ReplayFiles files)
    {
        var narrative = files.Narrative;
        foreach (var line in narrative.Header.Skip(1))
        {
            Console.WriteLine(line); // the fingerprint first, as hasim run prints it
        }
        Console.WriteLine();
        foreach (var line in narrative.Timeline.Take(PrintedLines))
        {
            Console.WriteLine(line);
        }
        if (narrative.Timeline.Count > PrintedLines)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"... {narrative.Timeline.Count - PrintedLines} more lines in {files.NarrativeFile}"));
        }
        Console.WriteLine();
        foreach (var line in narrative.Verdicts)
        {
            Console.WriteLine(line);
        }
        Console.WriteLine();
        Console.WriteLine($"wrote {Replayer.NarrativeFile}, {Replayer.ChromeTraceFile} (open it in Perfetto's UI or chrome://tracing), {Replayer.TimelineImage} "
            + $"and the timeline.csv and writes.csv it is drawn from to {files.Directory}");
        Console.WriteLine($"replay: hasim replay {replay.ReproPath} --seed {replay.Seed.ToString(CultureInfo.InvariantCulture)}");
    }
}
