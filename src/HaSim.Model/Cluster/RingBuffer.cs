using System.Runtime.CompilerServices;

namespace HaSim.Model.Cluster;

/// <summary>
/// A FIFO of structs in a growable power-of-two ring: constant-time at both ends, no allocation
/// once it has grown to its working size. Growth is bounded by <see cref="MaxCapacity"/> so that a
/// model that queues without end fails loudly (DESIGN.md, rule 9) instead of eating memory.
/// </summary>
internal sealed class RingBuffer<T>(int initialCapacity = 16, int maxCapacity = 1 << 20) where T : struct
{
    private T[] _items = new T[System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(initialCapacity, 2))];
    private int _head;

    public int Count { get; private set; }
    public int MaxCapacity { get; } = maxCapacity;

    // Peek, Enqueue and Dequeue run for every message, commit and client timeout: inlined.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T Peek()
    {
        if (Count == 0)
        {
            ThrowEmpty();
        }
        return ref _items[_head];
    }

    private static void ThrowEmpty() => throw new InvalidOperationException("the ring is empty");

    public ref T this[int index] => ref _items[(_head + index) & (_items.Length - 1)];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enqueue(in T item)
    {
        if (Count == _items.Length)
        {
            Grow();
        }
        _items[(_head + Count) & (_items.Length - 1)] = item;
        Count++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Dequeue()
    {
        var item = Peek();
        _head = (_head + 1) & (_items.Length - 1);
        Count--;
        return item;
    }

    private void Grow()
    {
        if (_items.Length >= MaxCapacity)
        {
            throw new QueueBoundExceededException(
                $"more than {MaxCapacity} {typeof(T).Name} entries queued at once; the model is overloaded (its queues grow without bound)");
        }
        var grown = new T[_items.Length * 2];
        for (var i = 0; i < Count; i++)
        {
            grown[i] = _items[(_head + i) & (_items.Length - 1)];
        }
        _items = grown;
        _head = 0;
    }
}

/// <summary>A bounded queue overflowed: the model is unstable (offered load above capacity).</summary>
public sealed class QueueBoundExceededException(string message) : Exception(message);
