using System.Collections;

namespace HaSim.Checkers;

/// <summary>
/// Commit records in chunks of <see cref="ChunkSize"/> (80 kB each, under the .NET large-object
/// threshold): one array of a run's hundred thousand records would be a large object, and
/// allocating one per run made every garbage collection of an exploration a generation-2 one.
/// The recorder places records by id in one (growing without copying), which a history of ids
/// 1..n then holds as it is.
/// Checkers that read every record use <c>foreach (ref readonly var commit in chunks)</c>: the
/// struct enumerator walks the chunks by reference, with no copies and no allocation.
/// </summary>
public sealed class CommitChunks : IReadOnlyList<CommitRecord>
{
    public const int ChunkSize = 1024;
    private const int Shift = 10;

    private readonly List<CommitRecord[]> _chunks = [];

    /// <summary>An empty store, to be grown (<see cref="GrowTo"/>) and filled through <see cref="Slot"/>.</summary>
    internal CommitChunks()
    {
    }

    /// <summary><paramref name="count"/> default records, to be filled through <see cref="Slot"/>.</summary>
    internal CommitChunks(int count)
    {
        for (var k = 0; k * ChunkSize < count; k++)
        {
            _chunks.Add(ChunkPool.Rent());
        }
        Count = count;
    }

    public int Count { get; private set; }

    public int ChunkCount => _chunks.Count;

    public CommitRecord this[int index] => Slot(index);

    /// <summary>Records <c>k x ChunkSize</c> onwards, up to <see cref="ChunkSize"/> of them.</summary>
    public ReadOnlySpan<CommitRecord> Chunk(int k) => _chunks[k].AsSpan(0, Math.Min(ChunkSize, Count - k * ChunkSize));

    /// <summary>Grows to <paramref name="count"/> records, the new ones default (Id 0), to be filled through <see cref="Slot"/>.</summary>
    internal void GrowTo(int count)
    {
        while (_chunks.Count * ChunkSize < count)
        {
            _chunks.Add(ChunkPool.Rent());
        }
        Count = Math.Max(Count, count);
    }

    /// <summary>A store of its own with the same records.</summary>
    internal CommitChunks Copy()
    {
        var copy = new CommitChunks(Count);
        for (var k = 0; k < _chunks.Count; k++)
        {
            _chunks[k].AsSpan().CopyTo(copy._chunks[k]);
        }
        return copy;
    }

    internal ref CommitRecord Slot(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"{index} is not in [0, {Count})");
        }
        return ref _chunks[index >> Shift][index & (ChunkSize - 1)];
    }

    /// <summary>
    /// Empties the store and hands its chunks to the next store made on this thread. Nothing may
    /// read them through this store afterwards, so only their sole owner releases them.
    /// </summary>
    internal void Release()
    {
        foreach (var chunk in _chunks)
        {
            ChunkPool.Return(chunk);
        }
        _chunks.Clear();
        Count = 0;
    }

    /// <summary>Every record in order, by reference (the enumerator <c>foreach</c> picks).</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<CommitRecord> IEnumerable<CommitRecord>.GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return Slot(i);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<CommitRecord>)this).GetEnumerator();

    /// <summary>Walks the records chunk by chunk; <see cref="Current"/> is a reference into the chunk.</summary>
    public ref struct Enumerator(CommitChunks commits)
    {
        private int _chunk = -1;
        private ReadOnlySpan<CommitRecord> _span;
        private int _index = -1;

        public bool MoveNext()
        {
            if (++_index < _span.Length)
            {
                return true;
            }
            while (++_chunk < commits.ChunkCount)
            {
                _span = commits.Chunk(_chunk);
                if (_span.Length > 0)
                {
                    _index = 0;
                    return true;
                }
            }
            return false;
        }

        public readonly ref readonly CommitRecord Current => ref _span[_index];
    }
}

/// <summary>
/// Chunks handed back by released stores (<see cref="CommitChunks.Release"/>), one pool per thread:
/// an exploration runs a seed after another on each thread, and each seed's store (about 10 MB at
/// 200 commits/s for 10 minutes) would otherwise be new memory that lives through the seed, copied
/// by each garbage collection that meets it. A rented chunk is cleared, as a new one would be: the
/// by-id store tells an empty slot by its id 0.
/// </summary>
internal static class ChunkPool
{
    /// <summary>Enough for two stores of a 10-minute seed at 200 commits/s (the recorder's and a sorted history's, when ids are not 1..n); more is dropped for the collector.</summary>
    private const int MaxPooledChunks = 512;

    [ThreadStatic]
    private static Stack<CommitRecord[]>? t_free;

    public static CommitRecord[] Rent()
    {
        if (t_free is { Count: > 0 } free)
        {
            var chunk = free.Pop();
            Array.Clear(chunk);
            return chunk;
        }
        return new CommitRecord[CommitChunks.ChunkSize];
    }

    public static void Return(CommitRecord[] chunk)
    {
        var free = t_free ??= new Stack<CommitRecord[]>();
        if (free.Count < MaxPooledChunks)
        {
            free.Push(chunk);
        }
    }
}
