using System.Runtime.CompilerServices;
using HaSim.Primitives;

namespace HaSim.Kernel;

/// <summary>
/// A handle to a scheduled event, for cancelling it. The default handle refers to nothing.
/// A handle goes stale once its event has fired or been cancelled: its slot may be reused,
/// but the generation will then differ, so a stale handle can never cancel someone else's event.
/// </summary>
public readonly record struct TimerHandle(int Slot, int Generation)
{
    public static readonly TimerHandle None = default;
    public bool IsNone => Generation == 0;
}

/// <summary>
/// The future-event list: events ordered by (time, sequence), so events at equal times come out
/// in the order they were scheduled (FIFO), unlike .NET's PriorityQueue. It is an indexed 4-ary
/// min-heap over a pool of slots: cancelling removes the event at once (no tombstones piling up
/// behind long timers), and in steady state nothing is allocated per event, because slots and
/// heap entries are reused.
/// </summary>
public sealed class EventQueue<TEvent> where TEvent : struct
{
    private const int Arity = 4;

    // Heap entries carry their keys so that sifting compares contiguous memory; the payload stays
    // in the slot and never moves.
    private struct HeapEntry
    {
        public long Time;
        public long Sequence;
        public int Slot;
    }

    private struct Slot
    {
        public TEvent Event;
        public int HeapIndex; // -1 when the slot is free
        public int Generation;
        public int NextFree;
    }

    private HeapEntry[] _heap;
    private Slot[] _slots;
    private int _count;
    private int _freeHead = -1;
    private int _slotsUsed;
    private long _nextSequence;

    public EventQueue(int initialCapacity = 64)
    {
        if (initialCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(initialCapacity), "capacity must be positive");
        }
        _heap = new HeapEntry[initialCapacity];
        _slots = new Slot[initialCapacity];
    }

    /// <summary>The number of pending events.</summary>
    public int Count => _count;

    /// <summary>Schedules <paramref name="ev"/> at <paramref name="time"/>, after every event already scheduled for that time.</summary>
    public TimerHandle Enqueue(Instant time, in TEvent ev)
    {
        var slot = AllocateSlot();
        ref var s = ref _slots[slot];
        s.Event = ev;
        if (_count == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }
        var index = _count++;
        _heap[index] = new HeapEntry { Time = time.NanosecondsSinceStart, Sequence = _nextSequence++, Slot = slot };
        s.HeapIndex = index;
        SiftUp(index);
        return new TimerHandle(slot, s.Generation);
    }

    /// <summary>Removes a pending event. Returns false if it already fired, was cancelled, or the handle is None.</summary>
    public bool Cancel(TimerHandle handle)
    {
        if (!IsPending(handle))
        {
            return false;
        }
        var index = _slots[handle.Slot].HeapIndex;
        RemoveAt(index);
        FreeSlot(handle.Slot);
        return true;
    }

    /// <summary>True while the event behind <paramref name="handle"/> is still scheduled.</summary>
    public bool IsPending(TimerHandle handle) =>
        handle.Generation != 0
        && (uint)handle.Slot < (uint)_slotsUsed
        && _slots[handle.Slot].Generation == handle.Generation
        && _slots[handle.Slot].HeapIndex >= 0;

    /// <summary>The time of the earliest pending event.</summary>
    public bool TryPeekTime(out Instant time)
    {
        if (_count == 0)
        {
            time = default;
            return false;
        }
        time = new Instant(_heap[0].Time);
        return true;
    }

    /// <summary>Removes and returns the earliest event (the first scheduled among equal times).</summary>
    public bool TryDequeue(out Instant time, out TEvent ev)
    {
        if (_count == 0)
        {
            time = default;
            ev = default;
            return false;
        }
        var root = _heap[0];
        time = new Instant(root.Time);
        ev = _slots[root.Slot].Event;
        RemoveAt(0);
        FreeSlot(root.Slot);
        return true;
    }

    /// <summary>Drops every pending event; outstanding handles become stale.</summary>
    public void Clear()
    {
        while (_count > 0)
        {
            var slot = _heap[_count - 1].Slot;
            _count--;
            FreeSlot(slot);
        }
    }

    private int AllocateSlot()
    {
        int slot;
        if (_freeHead >= 0)
        {
            slot = _freeHead;
            _freeHead = _slots[slot].NextFree;
        }
        else
        {
            if (_slotsUsed == _slots.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
            }
            slot = _slotsUsed++;
        }
        ref var s = ref _slots[slot];
        // Generation 0 is reserved for TimerHandle.None; skip it on wrap-around.
        s.Generation = s.Generation == int.MaxValue ? 1 : s.Generation + 1;
        return slot;
    }

    private void FreeSlot(int slot)
    {
        ref var s = ref _slots[slot];
        s.HeapIndex = -1;
        s.Event = default; // do not keep references alive through a freed slot
        s.NextFree = _freeHead;
        _freeHead = slot;
    }

    private void RemoveAt(int index)
    {
        var last = --_count;
        if (index == last)
        {
            return;
        }
        _heap[index] = _heap[last];
        _slots[_heap[index].Slot].HeapIndex = index;
        if (index > 0 && Less(_heap[index], _heap[(index - 1) / Arity]))
        {
            SiftUp(index);
        }
        else
        {
            SiftDown(index);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Less(in HeapEntry a, in HeapEntry b) =>
        a.Time < b.Time || (a.Time == b.Time && a.Sequence < b.Sequence);

    private void SiftUp(int index)
    {
        var heap = _heap;
        var entry = heap[index];
        while (index > 0)
        {
            var parent = (index - 1) / Arity;
            if (!Less(entry, heap[parent]))
            {
                break;
            }
            heap[index] = heap[parent];
            _slots[heap[index].Slot].HeapIndex = index;
            index = parent;
        }
        heap[index] = entry;
        _slots[entry.Slot].HeapIndex = index;
    }

    private void SiftDown(int index)
    {
        var heap = _heap;
        var count = _count;
        var entry = heap[index];
        while (true)
        {
            var first = index * Arity + 1;
            if (first >= count)
            {
                break;
            }
            var best = first;
            var end = Math.Min(first + Arity, count);
            for (var child = first + 1; child < end; child++)
            {
                if (Less(heap[child], heap[best]))
                {
                    best = child;
                }
            }
            if (!Less(heap[best], entry))
            {
                break;
            }
            heap[index] = heap[best];
            _slots[heap[index].Slot].HeapIndex = index;
            index = best;
        }
        heap[index] = entry;
        _slots[entry.Slot].HeapIndex = index;
    }
}
