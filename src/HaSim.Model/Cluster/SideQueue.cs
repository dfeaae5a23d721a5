using HaSim.Kernel;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>
/// A queue of its own for a crowd of like events, with one event of the run's scheduler at its
/// head: the thousands of client retries or give-ups scheduled after an outage then neither deepen
/// the run's event queue, which every other event pays for, nor linger there. Items due at the
/// same instant come out in the order they were posted.
/// </summary>
internal sealed class SideQueue<T>(Scheduler<ModelEvent> scheduler, ModelEvent wake) where T : struct
{
    private readonly EventQueue<T> _items = new();
    private TimerHandle _wakeTimer;
    private Instant _wakeAt;

    public int Count => _items.Count;

    /// <summary>Adds <paramref name="item"/>, due at <paramref name="at"/>; the wake event moves up if it is now the first.</summary>
    public void Post(Instant at, in T item)
    {
        _items.Post(at, item);
        if (!scheduler.IsPending(_wakeTimer) || at < _wakeAt)
        {
            Rearm();
        }
    }

    /// <summary>Takes the first item due at or before <paramref name="now"/>; call <see cref="Rearm"/> once none is left.</summary>
    public bool TryTakeDue(Instant now, out T item) => _items.TryDequeueUntil(now, out _, out item);

    /// <summary>Points the wake event at the first item, or cancels it when there is none.</summary>
    public void Rearm()
    {
        scheduler.Cancel(_wakeTimer);
        if (_items.TryPeekTime(out var first))
        {
            _wakeTimer = scheduler.At(first, wake);
            _wakeAt = first;
        }
        else
        {
            _wakeTimer = TimerHandle.None;
        }
    }

    /// <summary>Drops every item and the wake event.</summary>
    public void Clear()
    {
        _items.Clear();
        Rearm();
    }
}
