using System.Collections;

namespace HaSim.Checkers;

/// <summary>
/// Commit records in chunks of <see cref="ChunkSize"/> (80 kB each, under the .NET large-object
/// threshold): one array of a run's hundred thousand records would be a large object, and
/// allocating one per run made every garbage collection of an exploration a generation-2 one.
/// The recorder appends to one (growing without copying); a history holds one placed by id.
/// Checkers that read every record walk the chunks as spans (<see cref="Chunk"/>).
/// </summary>
public sealed class CommitChunks : IReadOnlyList<CommitRecord>
{
    public const int ChunkSize = 1024;
    private const int Shift = 10;

    private readonly List<CommitRecord[]> _chunks = [];

    /// <summary>An empty store for <see cref="Add"/>.</summary>
    internal CommitChunks()
    {
    }

    /// <summary><paramref name="count"/> default records, to be filled through <see cref="Slot"/>.</summary>
    internal CommitChunks(int count)
    {
        for (var k = 0; k * ChunkSize < count; k++)
        {
            _chunks.Add(new CommitRecord[ChunkSize]);
        }
        Count = count;
    }

    public int Count { get; private set; }

    public int ChunkCount => _chunks.Count;

    public CommitRecord this[int index] => Slot(index);

    /// <summary>Records <c>k x ChunkSize</c> onwards, up to <see cref="ChunkSize"/> of them.</summary>
    public ReadOnlySpan<CommitRecord> Chunk(int k) => _chunks[k].AsSpan(0, Math.Min(ChunkSize, Count - k * ChunkSize));

    internal void Add(in CommitRecord record)
    {
        if (Count == _chunks.Count * ChunkSize)
        {
            _chunks.Add(new CommitRecord[ChunkSize]);
        }
        _chunks[^1][Count & (ChunkSize - 1)] = record;
        Count++;
    }

    internal ref CommitRecord Slot(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"{index} is not in [0, {Count})");
        }
        return ref _chunks[index >> Shift][index & (ChunkSize - 1)];
    }

    public IEnumerator<CommitRecord> GetEnumerator()
    {
        for (var k = 0; k < ChunkCount; k++)
        {
            var length = Chunk(k).Length;
            for (var i = 0; i < length; i++)
            {
                yield return _chunks[k][i];
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
