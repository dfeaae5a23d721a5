using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using HaSim.Kernel;
using HaSim.Kernel.Reference;
using HaSim.Primitives;

namespace HaSim.Benchmarks;

/// <summary>
/// The kernel running the M/M/1 reference model (lambda 0.9, mu 1.0 per ms), against the same
/// model written directly on .NET's PriorityQueue with (time, sequence) priorities: the
/// baseline the kernel must stay within 75% of. Both draw the same exponential delays from
/// SimRandom and keep the same queue depth (one pending arrival, at most one pending departure),
/// so the difference is the event machinery. One operation is one event.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class KernelBenchmarks
{
    public const int EventsPerInvoke = 1_000_000;

    private static readonly SingleServerQueueParameters Rates = new(900, 1000);

    [Benchmark(Baseline = true, OperationsPerInvoke = EventsPerInvoke, Description = "PriorityQueue<T,(long,long)> M/M/1")]
    public long RawPriorityQueue() => RawMM1.Run(seed: 1, EventsPerInvoke);

    [Benchmark(OperationsPerInvoke = EventsPerInvoke, Description = "HaSim kernel M/M/1")]
    public long Kernel()
    {
        var result = new SingleServerQueue(Rates, seed: 1).Run(Duration.Parse("1000h"), maxEvents: EventsPerInvoke);
        return result.Run.EventsProcessed;
    }

    /// <summary>
    /// The M/M/1 model as a hand-written loop over PriorityQueue, doing the same bookkeeping as
    /// SingleServerQueue (a ring of arrival times for sojourns, the time-integral of the number
    /// in system), so that the two benchmarks differ only in the event machinery.
    /// </summary>
    private static class RawMM1
    {
        private const byte Arrival = 0;
        private const byte Departure = 1;

        public static long Run(ulong seed, int events)
        {
            var arrivals = new SimRandom(seed, "queue.arrivals");
            var services = new SimRandom(seed, "queue.services");
            var meanInterarrival = Duration.NanosPerSecond / Rates.ArrivalsPerSecond;
            var meanService = Duration.NanosPerSecond / Rates.ServicesPerSecond;
            var queue = new PriorityQueue<byte, (long, long)>();
            var ring = new long[64];
            int head = 0, inSystem = 0;
            long sequence = 0, completions = 0, lastChange = 0;
            double sojournSum = 0, area = 0;
            queue.Enqueue(Arrival, (Exp(arrivals, meanInterarrival), sequence++));
            for (var handled = 0; handled < events; handled++)
            {
                queue.TryDequeue(out var kind, out var key);
                var now = key.Item1;
                area += (double)inSystem * (now - lastChange);
                lastChange = now;
                if (kind == Arrival)
                {
                    if (inSystem == ring.Length)
                    {
                        var grown = new long[ring.Length * 2];
                        for (var i = 0; i < inSystem; i++)
                        {
                            grown[i] = ring[(head + i) & (ring.Length - 1)];
                        }
                        ring = grown;
                        head = 0;
                    }
                    ring[(head + inSystem) & (ring.Length - 1)] = now;
                    inSystem++;
                    if (inSystem == 1)
                    {
                        queue.Enqueue(Departure, (now + Exp(services, meanService), sequence++));
                    }
                    queue.Enqueue(Arrival, (now + Exp(arrivals, meanInterarrival), sequence++));
                }
                else
                {
                    var arrived = ring[head];
                    head = (head + 1) & (ring.Length - 1);
                    inSystem--;
                    completions++;
                    sojournSum += now - arrived;
                    if (inSystem > 0)
                    {
                        queue.Enqueue(Departure, (now + Exp(services, meanService), sequence++));
                    }
                }
            }
            return completions + (long)(sojournSum + area);
        }

        private static long Exp(SimRandom rng, double mean) =>
            Duration.FromNanosecondsRounded(-mean * Math.Log(rng.NextOpenUnit())).Nanoseconds;
    }
}

/// <summary>
/// The classic "hold" benchmark at a fixed queue depth: pop the earliest event and push one a
/// random time later. Compares the kernel's EventQueue with PriorityQueue at depths a large
/// cluster model reaches (timers of many nodes, in-flight messages).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class HoldBenchmarks
{
    private const int Operations = 1_000_000;

    [Params(2, 64, 4096)]
    public int Depth { get; set; }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations, Description = "PriorityQueue<T,(long,long)> hold")]
    public long RawPriorityQueue()
    {
        var rng = new SimRandom(1, 0);
        var queue = new PriorityQueue<int, (long, long)>(Depth);
        long sequence = 0;
        for (var i = 0; i < Depth; i++)
        {
            queue.Enqueue(i, ((long)rng.NextUInt64Below(1_000_000), sequence++));
        }
        long sum = 0;
        for (var i = 0; i < Operations; i++)
        {
            queue.TryDequeue(out var ev, out var key);
            sum += ev;
            queue.Enqueue(ev, (key.Item1 + (long)rng.NextUInt64Below(1_000_000), sequence++));
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Operations, Description = "HaSim EventQueue hold")]
    public long Kernel()
    {
        var rng = new SimRandom(1, 0);
        var queue = new EventQueue<int>(Depth);
        for (var i = 0; i < Depth; i++)
        {
            queue.Enqueue(new Instant((long)rng.NextUInt64Below(1_000_000)), i);
        }
        long sum = 0;
        for (var i = 0; i < Operations; i++)
        {
            queue.TryDequeue(out var time, out var ev);
            sum += ev;
            queue.Enqueue(time + new Duration((long)rng.NextUInt64Below(1_000_000)), ev);
        }
        return sum;
    }
}

/// <summary>Adds operations per second, so the table reads directly as events per second.</summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig()
    {
        AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
