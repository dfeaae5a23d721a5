using System.Runtime.CompilerServices;
using System.Text;

namespace HaSim.Kernel;

/// <summary>
/// The simulator's only source of randomness: xoshiro256** (Blackman and Vigna, 2018), seeded
/// through SplitMix64. Each consumer owns its own stream derived from (run seed, stream id), so
/// adding a consumer, or changing how many numbers one draws, never shifts another's draws.
/// Golden-value tests pin the output: changing this type changes every result HaSim prints.
/// </summary>
public sealed class SimRandom
{
    internal const double TwoToMinus53 = 1.0 / (1UL << 53);

    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates the stream <paramref name="streamId"/> of the run seeded with <paramref name="seed"/>.</summary>
    public SimRandom(ulong seed, ulong streamId)
    {
        Seed = seed;
        StreamId = streamId;
        // Mix the pair into one 64-bit start value, then expand it with SplitMix64 as Vigna
        // recommends; SplitMix64 never yields an all-zero xoshiro state from distinct outputs.
        var x = SplitMix64.Mix(SplitMix64.Mix(seed) ^ (streamId * 0xD1B54A32D192ED03UL + 0x8BB84B93962EACC9UL));
        var expander = new SplitMix64(x);
        _s0 = expander.Next();
        _s1 = expander.Next();
        _s2 = expander.Next();
        _s3 = expander.Next();
    }

    /// <summary>A generator with an explicit xoshiro state, for checking against the reference vectors.</summary>
    internal SimRandom(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>Creates the stream named <paramref name="streamName"/> (hashed with <see cref="StreamIds.FromName"/>).</summary>
    public SimRandom(ulong seed, string streamName) : this(seed, StreamIds.FromName(streamName))
    {
    }

    public ulong Seed { get; }
    public ulong StreamId { get; }

    /// <summary>The next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => UnitFromBits(NextUInt64());

    /// <summary>A uniform double in [0, 1) from the top 53 of <paramref name="bits"/>: the one conversion every stream uses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double UnitFromBits(ulong bits) => (bits >> 11) * TwoToMinus53;

    /// <summary>
    /// A uniform double in the open interval (0, 1): never 0 nor 1, so it can go straight into an
    /// inverse CDF or a logarithm.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextOpenUnit() => ((NextUInt64() >> 11) + 0.5) * TwoToMinus53;

    /// <summary>A uniform integer in [0, <paramref name="bound"/>), unbiased (Lemire's method).</summary>
    public ulong NextUInt64Below(ulong bound)
    {
        if (bound == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bound), "the bound must be positive");
        }
        var product = Math.BigMul(NextUInt64(), bound, out var low);
        if (low < bound)
        {
            var threshold = (0 - bound) % bound;
            while (low < threshold)
            {
                product = Math.BigMul(NextUInt64(), bound, out low);
            }
        }
        return product;
    }

    /// <summary>A uniform integer in [0, <paramref name="bound"/>).</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bound), "the bound must be positive");
        }
        return (int)NextUInt64Below((ulong)bound);
    }

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool NextBernoulli(double p) => NextDouble() < p;

    /// <summary>
    /// The SplitMix64 generator (Steele, Lea and Flood, 2014): used to expand seeds, and as a
    /// 64-bit mixing function.
    /// </summary>
    internal struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        public ulong Next()
        {
            _state += 0x9E3779B97F4A7C15UL;
            return Mix(_state);
        }

        // The finalizer's two multipliers, named for the vector copy of it (IndexedRow.UnitsAt).
        internal const ulong MixMultiplier1 = 0xBF58476D1CE4E5B9UL;
        internal const ulong MixMultiplier2 = 0x94D049BB133111EBUL;

        public static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * MixMultiplier1;
            z = (z ^ (z >> 27)) * MixMultiplier2;
            return z ^ (z >> 31);
        }
    }
}

/// <summary>Stable stream ids from names. Never string.GetHashCode: it is randomized per process.</summary>
public static class StreamIds
{
    /// <summary>FNV-1a (64-bit) over the UTF-8 bytes of the name: the same id in every process and build.</summary>
    public static ulong FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var hash = 0xCBF29CE484222325UL;
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(name) <= buffer.Length
            ? buffer[..Encoding.UTF8.GetBytes(name, buffer)]
            : Encoding.UTF8.GetBytes(name);
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= 0x100000001B3UL;
        }
        return hash;
    }

    /// <summary>A stream id for the <paramref name="index"/>-th member of a named family (per-node streams).</summary>
    public static ulong FromName(string name, int index) =>
        SimRandom.SplitMix64.Mix(FromName(name) + (ulong)(uint)index * 0x9E3779B97F4A7C15UL);
}
