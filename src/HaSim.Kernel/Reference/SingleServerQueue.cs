using HaSim.Primitives;

namespace HaSim.Kernel.Reference;

/// <summary>Parameters of an M/M/1 queue: Poisson arrivals, exponential service, one FIFO server.</summary>
public readonly record struct SingleServerQueueParameters(double ArrivalsPerSecond, double ServicesPerSecond)
{
    public double Utilization => ArrivalsPerSecond / ServicesPerSecond;

    /// <summary>The M/M/1 mean time in system, W = 1 / (mu - lambda), in seconds.</summary>
    public double TheoreticalMeanSojournSeconds => 1.0 / (ServicesPerSecond - ArrivalsPerSecond);

    /// <summary>The M/M/1 mean number in system, L = rho / (1 - rho).</summary>
    public double TheoreticalMeanInSystem => Utilization / (1 - Utilization);
}

public readonly record struct SingleServerQueueResult(
    RunResult Run,
    long Arrivals,
    long Completions,
    double MeanSojournSeconds,
    double TimeAverageInSystem,
    ulong TraceHash,
    bool QueueBoundExceeded);

/// <summary>
/// The kernel's reference model: an M/M/1 queue. It exercises the scheduler exactly as a real
/// model does (two interleaved event streams, random delays from separate SimRandom streams, a
/// trace of state changes), and its answers have closed forms, so it serves the determinism
/// tests, a validation test, the <c>hasim queue</c> self-check and the kernel benchmark.
/// </summary>
public sealed class SingleServerQueue : IEventHandler<SingleServerQueue.Event>
{
    public enum EventKind : byte
    {
        Arrival,
        Departure,
    }

    public readonly record struct Event(EventKind Kind);

    public static readonly TraceKind ArrivalKind = new("queue.arrival");
    public static readonly TraceKind DepartureKind = new("queue.departure");

    /// <summary>Bound on waiting customers (DESIGN.md, rule 9): an unstable queue is reported, not grown without end.</summary>
    public const int MaxInSystem = 1 << 20;

    private readonly Scheduler<Event> _scheduler = new();
    private readonly SimRandom _arrivals;
    private readonly SimRandom _services;
    private readonly double _meanInterarrivalNs;
    private readonly double _meanServiceNs;
    private readonly Trace? _trace;

    // Arrival times of the customers in the system, as a ring buffer: the head is in service.
    private long[] _arrivalTimes = new long[64];
    private int _head;
    private int _inSystem;

    private long _arrivalCount;
    private long _completions;
    private double _sojournSumNs;
    private double _areaInSystemNs; // integral of the number in system over time
    private Instant _lastChange = Instant.Start;
    private bool _boundExceeded;

    public SingleServerQueue(SingleServerQueueParameters parameters, ulong seed, Trace? trace = null)
    {
        if (!(parameters.ArrivalsPerSecond > 0) || !(parameters.ServicesPerSecond > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(parameters), "arrival and service rates must be positive");
        }
        _arrivals = new SimRandom(seed, "queue.arrivals");
        _services = new SimRandom(seed, "queue.services");
        _meanInterarrivalNs = Duration.NanosPerSecond / parameters.ArrivalsPerSecond;
        _meanServiceNs = Duration.NanosPerSecond / parameters.ServicesPerSecond;
        _trace = trace;
    }

    public SingleServerQueueResult Run(Duration horizon, long maxEvents = RunLimits.DefaultMaxEvents)
    {
        _scheduler.PostAfter(Exponential(_arrivals, _meanInterarrivalNs), new Event(EventKind.Arrival));
        var run = _scheduler.Run(this, RunLimits.For(horizon, maxEvents));
        AccumulateArea(run.Now);
        var elapsedNs = (double)run.Now.NanosecondsSinceStart;
        return new SingleServerQueueResult(
            run,
            _arrivalCount,
            _completions,
            _completions == 0 ? 0 : _sojournSumNs / _completions / Duration.NanosPerSecond,
            elapsedNs == 0 ? 0 : _areaInSystemNs / elapsedNs,
            _trace?.Hash ?? 0,
            _boundExceeded);
    }

    public void Handle(Instant now, in Event ev)
    {
        AccumulateArea(now);
        if (ev.Kind == EventKind.Arrival)
        {
            OnArrival(now);
        }
        else
        {
            OnDeparture(now);
        }
    }

    private void OnArrival(Instant now)
    {
        _arrivalCount++;
        _trace?.Record(now, ArrivalKind, subject: -1, a: _arrivalCount, b: _inSystem);
        if (_inSystem == MaxInSystem)
        {
            _boundExceeded = true;
            _scheduler.RequestStop();
            return;
        }
        if (_inSystem == _arrivalTimes.Length)
        {
            GrowRing();
        }
        _arrivalTimes[(_head + _inSystem) & (_arrivalTimes.Length - 1)] = now.NanosecondsSinceStart;
        _inSystem++;
        if (_inSystem == 1)
        {
            _scheduler.PostAfter(Exponential(_services, _meanServiceNs), new Event(EventKind.Departure));
        }
        _scheduler.PostAfter(Exponential(_arrivals, _meanInterarrivalNs), new Event(EventKind.Arrival));
    }

    private void OnDeparture(Instant now)
    {
        var arrived = _arrivalTimes[_head];
        _head = (_head + 1) & (_arrivalTimes.Length - 1);
        _inSystem--;
        _completions++;
        _sojournSumNs += now.NanosecondsSinceStart - arrived;
        _trace?.Record(now, DepartureKind, subject: -1, a: _completions, b: now.NanosecondsSinceStart - arrived);
        if (_inSystem > 0)
        {
            _scheduler.PostAfter(Exponential(_services, _meanServiceNs), new Event(EventKind.Departure));
        }
    }

    private void AccumulateArea(Instant now)
    {
        _areaInSystemNs += (double)_inSystem * (now - _lastChange).Nanoseconds;
        _lastChange = now;
    }

    private void GrowRing()
    {
        // Unroll the ring into a buffer twice the size (capacity stays a power of two).
        var grown = new long[_arrivalTimes.Length * 2];
        for (var i = 0; i < _inSystem; i++)
        {
            grown[i] = _arrivalTimes[(_head + i) & (_arrivalTimes.Length - 1)];
        }
        _arrivalTimes = grown;
        _head = 0;
    }

    private static Duration Exponential(SimRandom rng, double meanNs) =>
        Duration.FromNanosecondsRounded(-meanNs * Math.Log(rng.NextOpenUnit()));
}
