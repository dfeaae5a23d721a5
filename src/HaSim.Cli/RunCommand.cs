using System.CommandLine;
using System.Globalization;
using HaSim.Experiments.Loading;
using HaSim.Experiments.Runs;
using HaSim.Model.Cluster;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Cli;

/// <summary><c>hasim run [MODEL]</c>: one run of a cluster model, a summary on the terminal, CSV on request.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var model = new Argument<string?>("MODEL")
        {
            Description = "A model file (YAML). Without one, the embedded lesson model runs: one region, three zones, a FIRST 1 synchronous standby and an asynchronous one.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var seed = new Option<ulong>("--seed") { Description = "The run seed: the same seed gives the same result, bit for bit.", DefaultValueFactory = _ => 1 };
        var duration = new Option<string?>("--duration") { Description = "Measured simulated time after the warm-up (overrides the model), e.g. 60s or 1h." };
        var warmup = new Option<string?>("--warmup") { Description = "Simulated warm-up before measuring (overrides the model)." };
        var rate = new Option<string?>("--rate") { Description = "Open-loop transactions per second (overrides the model's workload rate)." };
        var output = new Option<string?>("--out") { Description = "Write summary.csv, standbys.csv, commit_latency_histogram.csv and lag.csv into this directory." };
        var maxEvents = new Option<string?>("--max-events") { Description = "Hard bound on simulated events; reaching it fails the run." };
        var faults = new Option<string[]>("--fault")
        {
            Description = "Inject a fault, written as in a model's faults list, e.g. \"{zone_outage: use1-az2, at: 20s, for: 90s}\"; may be repeated.",
            AllowMultipleArgumentsPerToken = false,
        };
        var perf = new Option<bool>("--perf") { Description = "Also print wall time, simulated commits and events per wall-clock second, and peak memory (on stderr: they vary from machine to machine)." };

        var command = new Command("run", "Simulate a cluster model and report commit latency, throughput and replication lag.")
        {
            model, seed, duration, warmup, rate, output, maxEvents, faults, perf,
        };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            var path = parse.GetValue(model);
            var spec = path is null ? ModelLoader.LoadDefault() : ModelLoader.LoadFile(path);
            spec = ApplyOverrides(spec, parse.GetValue(duration), parse.GetValue(warmup), parse.GetValue(rate), parse.GetValue(maxEvents));
            spec = AddFaults(spec, parse.GetValue(faults) ?? []);
            return Run(spec, parse.GetValue(seed), parse.GetValue(output), parse.GetValue(perf), ReplayCommand(path, spec, parse.GetValue(seed), parse.GetValue(faults) ?? []));
        }));
        return command;
    }

    private static ClusterSpec ApplyOverrides(ClusterSpec spec, string? duration, string? warmup, string? rate, string? maxEvents)
    {
        if (duration is not null)
        {
            spec = spec with { Duration = CliErrors.PositiveDuration("--duration", duration) };
        }
        if (warmup is not null)
        {
            spec = spec with { Warmup = CliErrors.Duration("--warmup", warmup, allowZero: true) };
        }
        if (rate is not null)
        {
            if (!double.TryParse(rate, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) || !double.IsFinite(r) || r <= 0)
            {
                throw new CliInputException($"--rate: '{rate}' is not a positive number of transactions per second");
            }
            spec = spec with { Workload = spec.Workload with { OpenLoopRate = r } };
        }
        if (maxEvents is not null)
        {
            if (!long.TryParse(maxEvents, NumberStyles.None, CultureInfo.InvariantCulture, out var m) || m < 1)
            {
                throw new CliInputException($"--max-events: '{maxEvents}' is not a positive whole number");
            }
            spec = spec with { MaxEvents = m };
        }
        return spec;
    }

    /// <summary>Appends the faults given with --fault to the model's own; errors name the option and its number.</summary>
    private static ClusterSpec AddFaults(ClusterSpec spec, string[] faults)
    {
        var added = new List<FaultSpec>(spec.Faults);
        for (var i = 0; i < faults.Length; i++)
        {
            added.AddRange(ModelLoader.LoadFault(spec, faults[i], string.Create(CultureInfo.InvariantCulture, $"--fault #{i + 1}")));
        }
        return spec with { Faults = added };
    }

    /// <summary>The command that reruns exactly this run: the model, the seed, and every setting an option can change.</summary>
    private static string ReplayCommand(string? path, ClusterSpec spec, ulong seed, string[] faults)
    {
        var model = path is null ? "" : path + " ";
        var rate = spec.Workload.OpenLoopRate is { } r ? " --rate " + r.ToString("R", CultureInfo.InvariantCulture) : "";
        var faultOptions = string.Concat(faults.Select(f => " --fault \"" + f.Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));
        return string.Create(CultureInfo.InvariantCulture,
            $"hasim run {model}--seed {seed} --duration {spec.Duration} --warmup {spec.Warmup}{rate} --max-events {spec.MaxEvents}{faultOptions}");
    }

    private static int Run(ClusterSpec spec, ulong seed, string? outputDirectory, bool perf, string replay)
    {
        var wall = System.Diagnostics.Stopwatch.StartNew();
        LagCsvSink? lagSink = null;
        if (outputDirectory is not null)
        {
            Directory.CreateDirectory(outputDirectory);
            lagSink = new LagCsvSink(Path.Combine(outputDirectory, RunCsv.LagFile), spec, seed);
        }
        ModelRunResult run;
        using (var progress = new ProgressLine($"simulating {spec.Name}"))
        using (lagSink)
        {
            run = ModelRun.Execute(spec, seed, lagSink, progress: progress.Report);
        }
        wall.Stop();
        var report = run.Report;
        Console.Write(SummaryText.Format(report, spec));
        Console.Write(FailoverSummary.Format(run, spec));
        if (perf)
        {
            PrintPerformance(report, wall.Elapsed);
        }
        if (outputDirectory is not null)
        {
            RunCsv.WriteReport(outputDirectory, report, spec);
            var failoverFile = "";
            if (run.Checks is not null)
            {
                RunCsv.Write(Path.Combine(outputDirectory, RunCsv.FailoverFile), [FailoverRow.From(run, spec)]);
                RunCsv.Write(Path.Combine(outputDirectory, TimelineCsv.TimelineFile), TimelineCsv.TimelineRows(run, spec));
                RunCsv.Write(Path.Combine(outputDirectory, TimelineCsv.WritesFile), TimelineCsv.WritesRows(run, spec));
                failoverFile = $", {RunCsv.FailoverFile}, {TimelineCsv.TimelineFile}, {TimelineCsv.WritesFile}";
            }
            Console.WriteLine();
            Console.WriteLine($"wrote {RunCsv.SummaryFile}, {RunCsv.StandbysFile}, {RunCsv.HistogramFile}{failoverFile} and {RunCsv.LagFile} to {outputDirectory}");
        }
        if (report.Failure is not null)
        {
            Console.Error.WriteLine("error: " + report.Failure);
            Console.Error.WriteLine("replay: " + replay);
            return 1;
        }
        return 0;
    }

    private static void PrintPerformance(ClusterRunReport report, TimeSpan wall)
    {
        var seconds = wall.TotalSeconds;
        var allCommits = report.Commits; // measured commits; warm-up commits are not counted
        var peakBytes = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"perf: wall {seconds:0.000}s, {allCommits / seconds:0} measured commits/s, {report.Run.EventsProcessed / seconds:0} events/s, peak memory {peakBytes / (1024.0 * 1024.0):0.0} MB"));
    }
}
