using System.CommandLine;
using System.Globalization;
using HaSim.Agent;
using HaSim.Experiments.Runs;

namespace HaSim.Cli;

/// <summary>
/// <c>hasim predict --config node.yaml</c>: the simulator's RTO distribution for a primary crash
/// under an agent configuration's settings, beside what the real cluster measured
/// (<c>--measured</c>), so that the distance between model and reality is in plain sight.
/// </summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config", "-c") { Description = "An agent configuration (hasim agent --config): its members, etcd hosts and Patroni settings are simulated.", Required = true };
        var seeds = new Option<int>("--seeds") { Description = "How many seeds (crashes at a random phase of the agents' loops) to simulate.", DefaultValueFactory = _ => 200 };
        var measured = new Option<string[]>("--measured")
        {
            Description = "Measured RTOs to compare: seconds (20.27), or files with one number per line ('#' starts a comment), such as the end-to-end test's rto.txt; may be repeated.",
            AllowMultipleArgumentsPerToken = true,
        };
        var showModel = new Option<bool>("--show-model") { Description = "Print the model that is simulated." };
        var machine = new Option<bool>("--machine-crash") { Description = "Crash the primary's whole machine (nothing on it answers) instead of killing PostgreSQL and the agent on a machine that stays up." };
        var command = new Command("predict", "Predict the RTO of a primary crash for an agent configuration with the simulator, beside measured values.")
        {
            config, seeds, measured, showModel, machine,
        };
        command.SetAction(parse => CliErrors.Guard(() =>
        {
            AgentConfig loaded;
            try
            {
                loaded = AgentConfigReader.LoadFile(parse.GetValue(config)!);
            }
            catch (AgentConfigException e)
            {
                throw new CliInputException(e.Message);
            }
            var n = parse.GetValue(seeds);
            if (n < 1)
            {
                throw new CliInputException($"--seeds: {n} is not a positive number of seeds");
            }
            var values = ReadMeasured(parse.GetValue(measured) ?? []);
            // The node listed first starts as the primary in the model; put the agents' leader first.
            var machineCrash = parse.GetValue(machine);
            var model = CrashPrediction.ModelText(loaded.Settings, loaded.MemberNames, loaded.Etcd.Hosts.Count, processesOnly: !machineCrash);
            if (parse.GetValue(showModel))
            {
                Console.WriteLine(model);
            }
            var result = CrashPrediction.Run(model, n);
            Print(loaded, result, values, machineCrash);
            return 0;
        }));
        return command;
    }

    private static double[] ReadMeasured(string[] items)
    {
        var values = new List<double>();
        foreach (var item in items)
        {
            if (double.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                values.Add(v);
                continue;
            }
            if (!File.Exists(item))
            {
                throw new CliInputException($"--measured: '{item}' is neither a number of seconds nor a file");
            }
            var lineNumber = 0;
            foreach (var line in File.ReadLines(item))
            {
                lineNumber++;
                var text = line.Split('#')[0].Trim();
                if (text.Length == 0)
                {
                    continue;
                }
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out v) || !double.IsFinite(v) || v < 0)
                {
                    throw new CliInputException($"{item}:{lineNumber}: expected a number of seconds, found '{text}'");
                }
                values.Add(v);
            }
        }
        return [.. values];
    }

    private static void Print(AgentConfig config, CrashPredictionResult result, double[] measured, bool machineCrash)
    {
        var s = result.Spec.Failover!.Settings.Adjust().Settings;
        var controller = result.ControllerSeconds;
        var client = result.ClientSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"prediction for '{config.Scope}': {(machineCrash ? $"the machine of primary {config.MemberNames[0]} crashes" : $"PostgreSQL and the agent of primary {config.MemberNames[0]} are killed")}; {config.Members.Count} nodes and {Math.Min(config.Etcd.Hosts.Count, config.Members.Count)} etcd member(s) on one machine's loopback"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"settings: ttl={s.Ttl} loop_wait={s.LoopWait} retry_timeout={s.RetryTimeout} synchronous_mode={(s.SynchronousMode == HaSim.Failover.SynchronousMode.On ? "on" : "off")}; {result.ControllerRto.Count} seeds{(result.Failed > 0 ? $", {result.Failed} without a promotion" : "")}"));
        Console.WriteLine();
        Console.WriteLine($"{"RTO (seconds)",-44}{"min",9}{"p50",9}{"mean",9}{"p95",9}{"max",9}");
        Row("predicted: crash to promotion (controller)", controller);
        Row("predicted: clients through HAProxy checks", client);
        if (measured.Length > 0)
        {
            Row(string.Create(CultureInfo.InvariantCulture, $"measured: kill to first write ({measured.Length} run{(measured.Length == 1 ? "" : "s")})"), [.. measured.Order()]);
            Console.WriteLine();
            foreach (var m in measured)
            {
                var rank = CrashPredictionResult.Rank(controller, m);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"measured {m:F3}s: {rank * 100:F0}% of the predicted controller RTOs are at or below it; {m - CrashPredictionResult.Quantile(controller, 0.5):+0.000;-0.000}s from the predicted median"));
            }
        }
        Console.WriteLine();
        Console.WriteLine(machineCrash
            ? "A crashed machine never answers: the standbys wait out the 2 s status probe before they race."
            : "A killed agent's machine refuses the standbys' status probes at once (--machine-crash: nothing answers, 2 s more).");
        Console.WriteLine("The end-to-end test's client writes to the nodes directly: it sees the controller's RTO plus its retry interval.");
    }

    private static void Row(string label, double[] sorted)
    {
        if (sorted.Length == 0)
        {
            Console.WriteLine($"{label,-44}{"-",9}");
            return;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-44}{sorted[0],9:F3}{CrashPredictionResult.Quantile(sorted, 0.5),9:F3}{sorted.Average(),9:F3}{CrashPredictionResult.Quantile(sorted, 0.95),9:F3}{sorted[^1],9:F3}"));
    }
}
