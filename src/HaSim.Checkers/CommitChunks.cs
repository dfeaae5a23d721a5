using System.Collections;

namespace HaSim.Checkers;

/// <summary>
/// A run's commit records in chunks of <see cref="ChunkSize"/> (80 kB each, under the .NET
/// large-object threshold): one array of a hundred thousand records would be a large object,
/// and allocating one per run made every garbage collection of an exploration a generation-2
/// one. Checkers that read every record walk the chunks as spans (<see cref="Chunk"/>).
/// </summary>
public sealed class CommitChunks : IReadOnlyList<CommitRecord>
{
    public const int ChunkSize = 1024;
    private const int Shift = 10;

    private readonly CommitRecord[][] _chunks;

    internal CommitChunks(int count)
    {
        Count = count;
        _chunks = new CommitRecord[(count + ChunkSize - 1) / ChunkSize][];
        for (var k = 0; k < _chunks.Length; k++)
        {
            _chunks[k] = new CommitRecord[Math.Min(ChunkSize, count - k * ChunkSize)];
        }
    }

    public int Count { get; }

    public int ChunkCount => _chunks.Length;

    public CommitRecord this[int index] => Slot(index);

    /// <summary>Records <c>k x ChunkSize</c> onwards, up to <see cref="ChunkSize"/> of them.</summary>
    public ReadOnlySpan<CommitRecord> Chunk(int k) => _chunks[k];

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
        foreach (var chunk in _chunks)
        {
            foreach (var record in chunk)
            {
                yield return record;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
