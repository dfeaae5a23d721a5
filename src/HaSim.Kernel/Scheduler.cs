using HaSim.Primitives;

namespace HaSim.Kernel;

/// <summary>Receives the events of a run, one at a time, in (time, sequence) order.</summary>
public interface IEventHandler<TEvent> where TEvent : struct
{
    void Handle(Instant now, in TEvent ev);
}

/// <summary>How far a run may go: a simulated-time horizon and a hard bound on events.</summary>
public readonly record struct RunLimits(Instant Until, long MaxEvents)
{
    /// <summary>The default event bound: generous for real models, small enough to stop a livelock in seconds.</summary>
    public const long DefaultMaxEvents = 2_000_000_000;

    public static RunLimits For(Duration horizon, long maxEvents = DefaultMaxEvents) =>
        new(Instant.Start + horizon, maxEvents);
}

/// <summary>Why <see cref="Scheduler{TEvent}.Run"/> returned.</summary>
public enum StopReason
{
    /// <summary>No event was left to process.</summary>
    QueueEmpty,
    /// <summary>The next event lies beyond the horizon; the clock now reads the horizon.</summary>
    HorizonReached,
    /// <summary>A handler called <see cref="Scheduler{TEvent}.RequestStop"/>.</summary>
    StopRequested,
    /// <summary>The run processed its maximum number of events: a failure, reported, never a hang.</summary>
    EventBudgetExhausted,
}

public readonly record struct RunResult(StopReason Reason, Instant Now, long EventsProcessed, long MaxEvents)
{
    public bool IsFailure => Reason == StopReason.EventBudgetExhausted;

    public string Describe() => Reason switch
    {
        StopReason.EventBudgetExhausted =>
            $"the run hit its bound of {MaxEvents} events at {Now} before reaching its horizon; "
            + "the model may be livelocked (events rescheduling themselves without end), or the run is longer than the bound allows",
        StopReason.QueueEmpty => $"no events left at {Now} after {EventsProcessed} events",
        StopReason.HorizonReached => $"reached the horizon {Now} after {EventsProcessed} events",
        _ => $"stopped at {Now} after {EventsProcessed} events",
    };
}

/// <summary>
/// The simulation clock and event loop. One scheduler per run, used from one thread: parallelism
/// only ever runs separate simulations side by side (DESIGN.md, rule 3).
/// </summary>
public sealed class Scheduler<TEvent> where TEvent : struct
{
    private readonly EventQueue<TEvent> _queue;
    private bool _stopRequested;

    public Scheduler(int initialCapacity = 256)
    {
        _queue = new EventQueue<TEvent>(initialCapacity);
    }

    /// <summary>The current simulated time: the time of the event being handled.</summary>
    public Instant Now { get; private set; } = Instant.Start;

    /// <summary>Events handled so far, across all calls to Run.</summary>
    public long EventsProcessed { get; private set; }

    public int PendingEvents => _queue.Count;

    /// <summary>Schedules <paramref name="ev"/> at <paramref name="time"/>, which must not be in the past.</summary>
    public TimerHandle At(Instant time, in TEvent ev)
    {
        if (time < Now)
        {
            throw new ArgumentOutOfRangeException(nameof(time), $"cannot schedule at {time}, before the current time {Now}");
        }
        return _queue.Enqueue(time, ev);
    }

    /// <summary>Schedules <paramref name="ev"/> after <paramref name="delay"/>, which must not be negative.</summary>
    public TimerHandle After(Duration delay, in TEvent ev)
    {
        if (delay.IsNegative)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), $"cannot schedule with a negative delay {delay}");
        }
        return _queue.Enqueue(Now + delay, ev);
    }

    /// <summary>Schedules an event that will never be cancelled at <paramref name="time"/>; cheaper than <see cref="At"/>.</summary>
    public void Post(Instant time, in TEvent ev)
    {
        if (time < Now)
        {
            throw new ArgumentOutOfRangeException(nameof(time), $"cannot schedule at {time}, before the current time {Now}");
        }
        _queue.Post(time, ev);
    }

    /// <summary>Schedules an event that will never be cancelled after <paramref name="delay"/>; cheaper than <see cref="After"/>.</summary>
    public void PostAfter(Duration delay, in TEvent ev)
    {
        if (delay.IsNegative)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), $"cannot schedule with a negative delay {delay}");
        }
        _queue.Post(Now + delay, ev);
    }

    /// <summary>Cancels a pending event; false if it already fired or was cancelled.</summary>
    public bool Cancel(TimerHandle handle) => _queue.Cancel(handle);

    public bool IsPending(TimerHandle handle) => _queue.IsPending(handle);

    /// <summary>Asks the running loop to return after the current event.</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>
    /// Handles events in (time, sequence) order until none is left, the next lies beyond
    /// <see cref="RunLimits.Until"/>, a handler requests a stop, or <see cref="RunLimits.MaxEvents"/>
    /// events have been handled in this run. Events exactly at the horizon are handled.
    /// </summary>
    /// <remarks>
    /// Generic in the handler so that a struct handler gets a loop of its own, with a direct call
    /// in place of the interface call per event (see ClusterSimulation's dispatcher).
    /// </remarks>
    public RunResult Run<THandler>(THandler handler, RunLimits limits) where THandler : IEventHandler<TEvent>
    {
        _stopRequested = false;
        long handled = 0;
        var until = limits.Until;
        while (true)
        {
            if (handled == limits.MaxEvents)
            {
                // Out of budget: a failure only if work remains within the horizon.
                return _queue.TryPeekTime(out var pending) && pending <= until
                    ? Finish(StopReason.EventBudgetExhausted, handled, limits)
                    : Finish(EndReason(until), handled, limits);
            }
            if (!_queue.TryDequeueUntil(until, out var time, out var ev))
            {
                return Finish(EndReason(until), handled, limits);
            }
            Now = time;
            handled++;
            handler.Handle(time, ev);
            if (_stopRequested)
            {
                return Finish(StopReason.StopRequested, handled, limits);
            }
        }
    }

    // The loop found nothing due by the horizon: either nothing is left, or the rest lies beyond it.
    private StopReason EndReason(Instant until)
    {
        if (_queue.Count == 0)
        {
            return StopReason.QueueEmpty;
        }
        Now = until;
        return StopReason.HorizonReached;
    }

    private RunResult Finish(StopReason reason, long handled, RunLimits limits)
    {
        EventsProcessed += handled;
        return new RunResult(reason, Now, handled, limits.MaxEvents);
    }
}
