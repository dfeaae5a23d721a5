using System.Runtime.CompilerServices;

namespace HaSim.Model.Cluster;

/// <summary>
/// Items keyed by ids handed out in increasing order (1, 2, 3, ...), most of which are removed
/// soon after they are added: the writes between their first attempt and their record. A ring of
/// slots spans the ids from the oldest item still present to the newest, so a lookup is an index
/// instead of a hash (a run looks writes up a million times). The span grows while an old item
/// stays, up to <see cref="MaxSpan"/>, past which the model is failing loudly (DESIGN.md, rule 9)
/// rather than eating memory.
/// </summary>
internal sealed class IdWindow<T>(int maxSpan = 1 << 24) where T : class
{
    private T?[] _slots = new T?[1024];
    private long _oldest = 1; // no item below this id is present
    private long _next = 1;   // the id the next Add must bring

    public int Count { get; private set; }

    public int MaxSpan { get; } = maxSpan;

    /// <summary>Adds the item of id <paramref name="id"/>, which must be the next id in order.</summary>
    public void Add(long id, T item)
    {
        if (id != _next)
        {
            throw new ArgumentException($"ids come in order: expected {_next}, got {id}", nameof(id));
        }
        if (_next - _oldest >= _slots.Length)
        {
            Grow();
        }
        _slots[Slot(id)] = item;
        _next++;
        Count++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // several lookups per write; shared generic code is not inlined unasked
    public bool TryGetValue(long id, out T item)
    {
        item = id >= _oldest && id < _next ? _slots[Slot(id)]! : null!;
        return item is not null;
    }

    public T this[long id] => TryGetValue(id, out var item) ? item : throw new KeyNotFoundException($"no item {id}");

    public void Remove(long id)
    {
        if (!TryGetValue(id, out _))
        {
            return;
        }
        _slots[Slot(id)] = null;
        Count--;
        while (_oldest < _next && _slots[Slot(_oldest)] is null)
        {
            _oldest++;
        }
    }

    /// <summary>The ids present, in increasing order.</summary>
    public long[] Ids()
    {
        var ids = new long[Count];
        var n = 0;
        for (var id = _oldest; id < _next; id++)
        {
            if (_slots[Slot(id)] is not null)
            {
                ids[n++] = id;
            }
        }
        return ids;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(long id) => (int)(id & (_slots.Length - 1));

    private void Grow()
    {
        if (_slots.Length >= MaxSpan)
        {
            throw new QueueBoundExceededException(
                $"more than {MaxSpan} {typeof(T).Name} ids apart between the oldest still pending and the newest; the model is overloaded (items stay pending without end)");
        }
        var grown = new T?[_slots.Length * 2];
        for (var id = _oldest; id < _next; id++)
        {
            grown[id & (grown.Length - 1)] = _slots[Slot(id)];
        }
        _slots = grown;
    }
}
