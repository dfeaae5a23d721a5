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
/// in the order they were scheduled (FIFO), unlike .NET's PriorityQueue.
/// <para>
/// Two 4-ary min-heaps whose entries carry their payload, so sifting touches one array: one for
/// events due soon (within <see cref="NearWindowNanos"/> of the last event taken) and one for the
/// rest. A simulation's pending events are mostly far-off timers (faults, HA loops, health checks)
/// that sit there for seconds, and near ones (messages in flight, disk writes) that come and go all
/// the time: the near ones sift through a heap of their own instead of past every timer. Which heap
/// an entry waits in never changes the order: each heap is ordered, and the earlier of the two
/// heads is taken.
/// </para>
/// Cancelling is O(1): it invalidates the handle's slot, and the stale entry is dropped when it
/// reaches the top, or all at once when stale entries outnumber live ones (so long timers that
/// are cancelled and re-armed again and again cannot pile up). In steady state nothing is
/// allocated per event: heap entries and slots are reused.
/// An event scheduled ahead of everything pending (a disk write that finishes before anything else
/// is due, say: a good share of a simulation's events) waits in a slot of its own in front of the
/// heaps, and is taken back without a sift; the order is the same as the heaps alone would give.
/// </summary>
public sealed class EventQueue<TEvent> where TEvent : struct
{
    private const int MinStaleForCompaction = 32;

    /// <summary>
    /// How far past the last event taken an event may be due and still go in the near heap: 2^26 ns,
    /// about 67 ms, longer than a message hop or a disk write, shorter than any periodic timer.
    /// </summary>
    internal const long NearWindowNanos = 1L << 26;

    // Slot 0 belongs to every posted (uncancellable) event: its generation stays 0, so such an
    // entry is never stale, and no handle can name it (handles have generation >= 1).
    private const int UncancellableSlot = 0;

    // An entry's ticket is its sequence number above its slot: (Time, Ticket) orders entries as
    // (time, sequence) does, since sequences are unique, and the entry is 8 bytes smaller than with
    // the two apart (32 bytes with the model's 16-byte events: a 4-ary node's children take 128
    // bytes to read and move, not 160). A cancellable entry is live while its slot holds its ticket.
    private struct Entry
    {
        public long Time;
        public long Ticket;
        public TEvent Event;
    }

    private const int SlotBits = 24;
    private const long SlotMask = (1L << SlotBits) - 1;
    private const long MaxSequence = long.MaxValue >> SlotBits;
    private const int MaxSlots = 1 << SlotBits;

    private EntryHeap _near;
    private EntryHeap _far;

    // The front slot: when _hasFront, _front precedes every heap entry. Stale entries are counted
    // in _staleCount wherever they are, the front included.
    private Entry _front;
    private bool _hasFront;
    private int _staleCount;
    private long _nextSequence;

    // The time of the last event taken: the near heap's window starts there.
    private long _lastTaken;

    // A slot belongs to one cancellable event at a time. When the event fires or is cancelled, the
    // slot's generation moves on, which turns every outstanding handle for it stale, and its
    // ticket is cleared, which turns the heap entry stale.
    private int[] _slotGeneration;
    private long[] _slotTicket; // the ticket of the entry holding the slot; 0 when free
    private int[] _nextFreeSlot;
    private int _freeHead = -1;
    private int _slotsUsed;

    public EventQueue(int initialCapacity = 64)
    {
        if (initialCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(initialCapacity), "capacity must be positive");
        }
        _near = new EntryHeap(initialCapacity);
        _far = new EntryHeap(initialCapacity);
        _slotGeneration = new int[Math.Max(initialCapacity, 2)];
        _slotTicket = new long[Math.Max(initialCapacity, 2)];
        _nextFreeSlot = new int[Math.Max(initialCapacity, 2)];
        _slotsUsed = 1; // slot 0 is the uncancellable one
    }

    /// <summary>The number of pending (not cancelled) events.</summary>
    public int Count => EntriesIncludingStale - _staleCount;

    /// <summary>Entries including cancelled ones not yet dropped (for tests of the compaction bound).</summary>
    internal int EntriesIncludingStale => _near.Count + _far.Count + (_hasFront ? 1 : 0);

    /// <summary>
    /// Schedules <paramref name="ev"/> at <paramref name="time"/>, after every event already
    /// scheduled for that time, and returns a handle that can cancel it.
    /// </summary>
    public TimerHandle Enqueue(Instant time, in TEvent ev)
    {
        var slot = AllocateSlot();
        var ticket = NextTicket(slot);
        _slotTicket[slot] = ticket;
        Push(time, ev, ticket);
        return new TimerHandle(slot, _slotGeneration[slot]);
    }

    /// <summary>
    /// Schedules an event that will never be cancelled (a message delivery, a disk completion):
    /// it takes no cancellation slot, which saves the slot's bookkeeping on every such event.
    /// </summary>
    public void Post(Instant time, in TEvent ev) => Push(time, ev, NextTicket(UncancellableSlot));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long NextTicket(int slot)
    {
        if (_nextSequence == MaxSequence)
        {
            ThrowSequenceExhausted();
        }
        return _nextSequence++ << SlotBits | (long)slot;
    }

    private static void ThrowSequenceExhausted() =>
        throw new InvalidOperationException($"an event queue takes at most {MaxSequence} events over its life");

    private void Push(Instant time, in TEvent ev, long ticket)
    {
        var entry = new Entry
        {
            Time = time.NanosecondsSinceStart,
            Ticket = ticket,
            Event = ev,
        };
        if (!_hasFront)
        {
            if ((_near.Count == 0 || Less(entry, _near.Items[0])) && (_far.Count == 0 || Less(entry, _far.Items[0])))
            {
                _front = entry;
                _hasFront = true;
                return;
            }
        }
        else if (Less(entry, _front))
        {
            (entry, _front) = (_front, entry); // the new entry goes in front, the old front into a heap
        }
        if (entry.Time - _lastTaken <= NearWindowNanos)
        {
            _near.Push(entry);
        }
        else
        {
            _far.Push(entry);
        }
    }

    /// <summary>Removes a pending event. Returns false if it already fired, was cancelled, or the handle is None.</summary>
    public bool Cancel(TimerHandle handle)
    {
        if (!IsPending(handle))
        {
            return false;
        }
        ReleaseSlot(handle.Slot);
        _staleCount++;
        if (_staleCount >= MinStaleForCompaction && _staleCount * 2 > EntriesIncludingStale)
        {
            Compact();
        }
        return true;
    }

    /// <summary>True while the event behind <paramref name="handle"/> is still scheduled.</summary>
    public bool IsPending(TimerHandle handle) =>
        handle.Generation != 0
        && (uint)handle.Slot < (uint)_slotsUsed
        && _slotGeneration[handle.Slot] == handle.Generation;

    /// <summary>The time of the earliest pending event.</summary>
    public bool TryPeekTime(out Instant time)
    {
        DropStaleTops();
        if (_hasFront)
        {
            time = new Instant(_front.Time);
            return true;
        }
        if (_near.Count == 0 && _far.Count == 0)
        {
            time = default;
            return false;
        }
        time = new Instant(EarlierHeap().Items[0].Time);
        return true;
    }

    /// <summary>Removes and returns the earliest event (the first scheduled among equal times).</summary>
    public bool TryDequeue(out Instant time, out TEvent ev) => TryDequeueUntil(Instant.MaxValue, out time, out ev);

    /// <summary>
    /// Removes and returns the earliest event if it is due at or before <paramref name="until"/>;
    /// otherwise leaves the queue as it is. One call per event in the simulation loop.
    /// </summary>
    public bool TryDequeueUntil(Instant until, out Instant time, out TEvent ev)
    {
        DropStaleTops();
        if (_hasFront)
        {
            if (_front.Time > until.NanosecondsSinceStart)
            {
                time = default;
                ev = default;
                return false;
            }
            time = new Instant(_front.Time);
            ev = _front.Event;
            if (SlotOf(_front) != UncancellableSlot)
            {
                ReleaseSlot(SlotOf(_front));
            }
            _hasFront = false;
            _front = default;
            _lastTaken = time.NanosecondsSinceStart;
            return true;
        }
        if (_near.Count == 0 && _far.Count == 0)
        {
            time = default;
            ev = default;
            return false;
        }
        ref var heap = ref EarlierHeap();
        ref var top = ref heap.Items[0];
        if (top.Time > until.NanosecondsSinceStart)
        {
            time = default;
            ev = default;
            return false;
        }
        time = new Instant(top.Time);
        ev = top.Event;
        if (SlotOf(top) != UncancellableSlot)
        {
            ReleaseSlot(SlotOf(top));
        }
        heap.RemoveTop();
        _lastTaken = time.NanosecondsSinceStart;
        return true;
    }

    /// <summary>Drops every pending event; outstanding handles become stale.</summary>
    public void Clear()
    {
        ReleaseLiveSlots(ref _near);
        ReleaseLiveSlots(ref _far);
        if (_hasFront && SlotOf(_front) != UncancellableSlot && IsLive(_front))
        {
            ReleaseSlot(SlotOf(_front));
        }
        _hasFront = false;
        _front = default;
        _staleCount = 0;
    }

    private void ReleaseLiveSlots(ref EntryHeap heap)
    {
        for (var i = 0; i < heap.Count; i++)
        {
            ref var entry = ref heap.Items[i];
            if (SlotOf(entry) != UncancellableSlot && IsLive(entry))
            {
                ReleaseSlot(SlotOf(entry));
            }
            entry = default;
        }
        heap.Count = 0;
    }

    /// <summary>The heap whose head comes first; at least one of them must hold an entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref EntryHeap EarlierHeap()
    {
        if (_far.Count == 0 || (_near.Count > 0 && Less(_near.Items[0], _far.Items[0])))
        {
            return ref _near;
        }
        return ref _far;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void DropStaleTops()
    {
        if (_staleCount == 0)
        {
            return; // nothing cancelled is waiting anywhere
        }
        // Posted events (slot 0) are never stale: only cancellable ones need their slot's ticket read.
        if (_hasFront)
        {
            if (IsLive(_front))
            {
                return;
            }
            _hasFront = false;
            _front = default;
            _staleCount--;
        }
        DropStaleTop(ref _near);
        DropStaleTop(ref _far);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void DropStaleTop(ref EntryHeap heap)
    {
        while (heap.Count > 0 && !IsLive(heap.Items[0]))
        {
            _staleCount--;
            heap.RemoveTop();
        }
    }

    private int AllocateSlot()
    {
        if (_freeHead >= 0)
        {
            var slot = _freeHead;
            _freeHead = _nextFreeSlot[slot];
            return slot;
        }
        if (_slotsUsed == _slotGeneration.Length)
        {
            if (_slotsUsed == MaxSlots)
            {
                throw new InvalidOperationException($"an event queue holds at most {MaxSlots - 1} cancellable events at once");
            }
            Array.Resize(ref _slotGeneration, _slotGeneration.Length * 2);
            Array.Resize(ref _slotTicket, _slotTicket.Length * 2);
            Array.Resize(ref _nextFreeSlot, _nextFreeSlot.Length * 2);
        }
        _slotGeneration[_slotsUsed] = 1; // generation 0 is reserved for TimerHandle.None
        return _slotsUsed++;
    }

    private void ReleaseSlot(int slot)
    {
        _slotTicket[slot] = 0;
        ref var generation = ref _slotGeneration[slot];
        generation = generation == int.MaxValue ? 1 : generation + 1;
        _nextFreeSlot[slot] = _freeHead;
        _freeHead = slot;
    }

    private void Compact()
    {
        _near.Compact(_slotTicket);
        _far.Compact(_slotTicket);
        if (_hasFront && !IsLive(_front))
        {
            _hasFront = false;
            _front = default;
        }
        _staleCount = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Less(in Entry a, in Entry b) =>
        a.Time < b.Time || (a.Time == b.Time && a.Ticket < b.Ticket);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SlotOf(in Entry entry) => (int)(entry.Ticket & SlotMask);

    /// <summary>Posted entries are always live; a cancellable one while its slot still holds its ticket.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsLive(in Entry entry) => IsLive(entry, _slotTicket);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsLive(in Entry entry, long[] slotTicket) =>
        SlotOf(entry) == UncancellableSlot || slotTicket[SlotOf(entry)] == entry.Ticket;

    /// <summary>A 4-ary min-heap of entries by (time, sequence).</summary>
    private struct EntryHeap(int capacity)
    {
        private const int Arity = 4;

        public Entry[] Items = new Entry[capacity];
        public int Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Push(in Entry entry)
        {
            if (Count == Items.Length)
            {
                Array.Resize(ref Items, Items.Length * 2);
            }
            SiftUp(Count++, entry);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void RemoveTop()
        {
            var last = --Count;
            if (last > 0)
            {
                SiftDown(0, Items[last]);
            }
            Items[last] = default; // do not keep references alive through a removed entry
        }

        /// <summary>Drops the entries whose slot has moved on (cancelled), then rebuilds the heap.</summary>
        public void Compact(long[] slotTicket)
        {
            var live = 0;
            for (var i = 0; i < Count; i++)
            {
                if (IsLive(Items[i], slotTicket))
                {
                    Items[live++] = Items[i];
                }
            }
            Array.Clear(Items, live, Count - live);
            Count = live;
            // Floyd's heap construction: sift down every internal node, last first.
            for (var i = (live - 2) / Arity; i >= 0; i--)
            {
                SiftDown(i, Items[i]);
            }
        }

        private readonly void SiftUp(int index, Entry entry)
        {
            var heap = Items;
            while (index > 0)
            {
                var parent = (int)((uint)(index - 1) / Arity); // unsigned: a shift, without the signed division's fix-up
                if (!Less(entry, heap[parent]))
                {
                    break;
                }
                heap[index] = heap[parent];
                index = parent;
            }
            heap[index] = entry;
        }

        // The entry is taken by value: callers pass heap slots that the sift overwrites.
        private readonly void SiftDown(int index, Entry entry)
        {
            var heap = Items;
            var count = Count;
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
                index = best;
            }
            heap[index] = entry;
        }
    }
}
