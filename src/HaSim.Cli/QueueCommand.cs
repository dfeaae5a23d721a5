using System.CommandLine;
using System.Globalization;
using HaSim.Kernel;
using HaSim.Kernel.Reference;
using HaSim.Primitives;

namespace HaSim.Cli;

/// <summary>
/// <c>hasim queue</c>: runs the kernel's M/M/1 reference model and sets its answers beside the
/// closed forms. A quick self-check of the kernel on any machine, and the program the
/// cross-process determinism test runs.
/// </summary>
internal static class QueueCommand
{
    public static Command Create()
    {
        var seed = new Option<ulong>("--seed") { Description = "The run seed.", DefaultValueFactory = _ => 1 };
        var arrivals = new Option<double>("--arrival-rate") { Description = "Poisson arrivals per second (lambda).", DefaultValueFactory = _ => 900 };
        var services = new Option<double>("--service-rate") { Description = "Exponential services per second (mu).", DefaultValueFactory = _ => 1000 };
        var duration = new Option<string>("--duration") { Description = "Simulated time, e.g. 60s or 10m.", DefaultValueFactory = _ => "60s" };
        var maxEvents = new Option<long>("--max-events") { Description = "Hard bound on events; reaching it is a failure.", DefaultValueFactory = _ => RunLimits.DefaultMaxEvents };

        var command = new Command("queue", "Simulate an M/M/1 queue on the kernel and compare it with queueing theory (a kernel self-check).")
        {
            seed, arrivals, services, duration, maxEvents,
        };
        command.SetAction(parse =>
        {
            var durationText = parse.GetValue(duration)!;
            if (!Duration.TryParse(durationText, out var horizon, out var error) || horizon <= Duration.Zero)
            {
                return Fail($"--duration: {(error.Length > 0 ? error : $"'{durationText}' must be positive")}");
            }
            var lambda = parse.GetValue(arrivals);
            var mu = parse.GetValue(services);
            if (!(lambda > 0) || !(mu > 0) || !(lambda < mu))
            {
                return Fail($"--arrival-rate and --service-rate must be positive with arrival-rate < service-rate for a stable queue (got {Format(lambda)} and {Format(mu)})");
            }
            return Run(new SingleServerQueueParameters(lambda, mu), parse.GetValue(seed), horizon, parse.GetValue(maxEvents));
        });
        return command;
    }

    private static int Run(SingleServerQueueParameters p, ulong seed, Duration horizon, long maxEvents)
    {
        var trace = new Trace();
        var result = new SingleServerQueue(p, seed, trace).Run(horizon, maxEvents);
        Console.WriteLine(Trace.FormatFingerprint(seed, result.TraceHash));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"M/M/1 queue: {p.ArrivalsPerSecond:0.###} arrivals/s, {p.ServicesPerSecond:0.###} services/s, utilization {p.Utilization:0.000}, {horizon} simulated"));
        Console.WriteLine();
        Console.WriteLine("metric                          simulated      theory");
        Row("mean time in system (ms)", result.MeanSojournSeconds * 1000, p.TheoreticalMeanSojournSeconds * 1000);
        Row("mean number in system", result.TimeAverageInSystem, p.TheoreticalMeanInSystem);
        Row("throughput (per s)", result.Completions / horizon.TotalSeconds, p.ArrivalsPerSecond);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"events",-28}{result.Run.EventsProcessed,11}"));
        if (result.QueueBoundExceeded)
        {
            Console.Error.WriteLine($"error: more than {SingleServerQueue.MaxInSystem} customers waited at once; the queue is unstable at these rates");
            return 1;
        }
        if (result.Run.IsFailure)
        {
            Console.Error.WriteLine("error: " + result.Run.Describe());
            Console.Error.WriteLine($"replay: hasim queue --seed {seed} --arrival-rate {Format(p.ArrivalsPerSecond)} --service-rate {Format(p.ServicesPerSecond)} --duration {horizon} --max-events {maxEvents}");
            return 1;
        }
        return 0;
    }

    private static void Row(string name, double simulated, double theory) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-28}{simulated,11:0.000} {theory,11:0.000}"));

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static int Fail(string message)
    {
        Console.Error.WriteLine("error: " + message);
        return 2;
    }
}
