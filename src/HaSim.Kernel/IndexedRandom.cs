using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HaSim.Kernel;

/// <summary>
/// A random stream read by index rather than in sequence: the number at (<c>a</c>, <c>b</c>)
/// depends only on the run seed, the stream and the index pair, never on what was read before.
/// A consumer may therefore skip, reorder or repeat its reads and still see the same numbers;
/// a client's retry jitter uses it so that the simulator can work out a whole chain of retries
/// that are bound to fail without an event for each (ClusterSimulation's parked writes), and a
/// write's retries do not depend on how other writes' retries interleave with them.
/// Each value is SplitMix64's finalizer (Steele, Lea and Flood, 2014) applied twice over the
/// stream key and the indices: integer arithmetic only, the same on every platform.
/// </summary>
public readonly struct IndexedRandom
{
    internal const ulong Golden = 0x9E3779B97F4A7C15UL;

    private readonly ulong _key;

    /// <summary>The stream <paramref name="streamId"/> of the run seeded with <paramref name="seed"/>.</summary>
    public IndexedRandom(ulong seed, ulong streamId)
    {
        _key = SimRandom.SplitMix64.Mix(SimRandom.SplitMix64.Mix(seed) ^ (streamId * 0xD1B54A32D192ED03UL + 0x2545F4914F6CDD1DUL));
    }

    /// <summary>The stream named <paramref name="streamName"/> (hashed with <see cref="StreamIds.FromName"/>).</summary>
    public IndexedRandom(ulong seed, string streamName) : this(seed, StreamIds.FromName(streamName))
    {
    }

    /// <summary>64 random bits at index (<paramref name="a"/>, <paramref name="b"/>).</summary>
    public ulong UInt64At(long a, long b) => Row(a).UInt64At(b);

    /// <summary>A uniform double in [0, 1) with 53 random bits, at index (<paramref name="a"/>, <paramref name="b"/>).</summary>
    public double UnitAt(long a, long b) => SimRandom.UnitFromBits(UInt64At(a, b));

    /// <summary>
    /// The numbers at (<paramref name="a"/>, b) for every b: the part of the mixing that depends on
    /// <paramref name="a"/> alone done once, for a consumer that reads many b of one a (a write's
    /// whole chain of retries).
    /// </summary>
    public IndexedRow Row(long a) => new(SimRandom.SplitMix64.Mix(_key + Golden * (ulong)a));
}

/// <summary>One row of an <see cref="IndexedRandom"/> stream: <c>row.UnitAt(b)</c> is <c>stream.UnitAt(a, b)</c>.</summary>
public readonly struct IndexedRow
{
    private readonly ulong _mixed;

    internal IndexedRow(ulong mixed) => _mixed = mixed;

    /// <summary>64 random bits at index b of this row.</summary>
    public ulong UInt64At(long b) => SimRandom.SplitMix64.Mix(_mixed ^ ((IndexedRandom.Golden * (ulong)b) + IndexOffset));

    // Added to the column index (times the golden ratio) before it is mixed with the row.
    private const ulong IndexOffset = 0x632BE59BD9B4E019UL;

    /// <summary>A uniform double in [0, 1) with 53 random bits, at index b of this row.</summary>
    public double UnitAt(long b) => SimRandom.UnitFromBits(UInt64At(b));

    /// <summary>
    /// <see cref="UnitAt"/> at b, b + 1, b + 2 and b + 3, in one vector: the same mixing lane by
    /// lane, so each is the very number <see cref="UnitAt"/> gives (integer arithmetic, and a
    /// 53-bit integer scaled by a power of two, are exact). For a consumer that reads a run of
    /// indices; fast where the hardware multiplies 64-bit lanes (AVX-512DQ).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<double> UnitsAt(long b)
    {
        var index = Vector256.Create((ulong)b) + Vector256.Create(0UL, 1UL, 2UL, 3UL);
        var z = Vector256.Create(_mixed) ^ ((index * IndexedRandom.Golden) + Vector256.Create(IndexOffset));
        z = (z ^ Vector256.ShiftRightLogical(z, 30)) * SimRandom.SplitMix64.MixMultiplier1;
        z = (z ^ Vector256.ShiftRightLogical(z, 27)) * SimRandom.SplitMix64.MixMultiplier2;
        z ^= Vector256.ShiftRightLogical(z, 31);
        return Vector256.ConvertToDouble(Vector256.ShiftRightLogical(z, 11)) * SimRandom.TwoToMinus53;
    }
}
