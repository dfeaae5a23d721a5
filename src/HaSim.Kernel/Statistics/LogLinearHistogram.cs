using System.Numerics;
using System.Runtime.CompilerServices;

namespace HaSim.Kernel.Statistics;

/// <summary>
/// A fixed-size log-linear (HdrHistogram-style) recorder of non-negative <see cref="long"/> values:
/// latencies in nanoseconds, lags in bytes, counts. A run records millions of commit latencies,
/// so memory must not grow with the simulated duration: values go into a bucket array allocated
/// once in the constructor, and every quantile it reports is within a known relative error of the
/// exact sample quantile.
/// </summary>
/// <remarks>
/// <para>
/// <b>Layout.</b> With <c>p</c> = <see cref="SubBucketBits"/> and <c>S = 2^p</c> sub-buckets per
/// power of two: every value in [0, 2S) has its own bucket (exact), and each further range
/// [2^e, 2^(e+1)), e = p+1 … 62, is split into S linear sub-buckets of width 2^(e-p). There are
/// (64 − p)·S buckets in all, whatever the number of records: 7,296 (57 KiB) for the default
/// p = 7, covering 0 … <see cref="long.MaxValue"/>.
/// </para>
/// <para>
/// <b>Error bound.</b> A bucket of width w = 2^k (k ≥ 1) starts at L ≥ S·2^k, so w / L ≤ 1/S
/// (1/128 with the default). A quantile is reported as the bucket's midpoint, clamped to
/// [<see cref="Min"/>, <see cref="Max"/>]; the true sample quantile lies in the same bucket, at
/// most w/2 from the midpoint, hence its relative error is at most (w/2) / L ≤ 1/(2S) = 1/256 ≈
/// 0.39% with the default (<see cref="MaxRelativeError"/>): well inside the 1% HaSim promises.
/// Clamping to [Min, Max] can only move the answer closer to the truth (both lie in that
/// interval), and values below 2S are reported exactly.
/// </para>
/// <para>
/// <b>Determinism.</b> The bucket index is computed with integer bit operations only
/// (<see cref="BitOperations.Log2(ulong)"/>, shifts): no floating point, no loops, no branches on
/// the value, so the same values always land in the same buckets on every platform. Count, Min,
/// Max and Sum (an <see cref="Int128"/>, which cannot overflow: the count is at most 2^63 − 1 and
/// each value below 2^63, so the sum stays below 2^126) are exact. Enumeration is in value order.
/// </para>
/// <para>
/// <see cref="Record(long)"/> allocates nothing. Not thread-safe: one histogram belongs to one run
/// (runs are single-threaded); combine per-run histograms with <see cref="Merge"/>.
/// </para>
/// </remarks>
public sealed class LogLinearHistogram
{
    /// <summary>The default <see cref="SubBucketBits"/>: 128 sub-buckets per power of two.</summary>
    public const int DefaultSubBucketBits = 7;

    /// <summary>The smallest accepted <see cref="SubBucketBits"/>.</summary>
    public const int MinSubBucketBits = 1;

    /// <summary>The largest accepted <see cref="SubBucketBits"/> (217,088 buckets, 1.7 MiB).</summary>
    public const int MaxSubBucketBits = 12;

    private readonly long[] _counts;
    private readonly int _subBucketBits;
    // 2S - 1: OR-ing it into a value makes Log2 at least p, which folds the exact range [0, 2S)
    // into the general formula without a branch.
    private readonly ulong _exactMask;

    private long _count;
    private long _min = long.MaxValue;
    private long _max = long.MinValue;
    private Int128 _sum;

    /// <summary>A histogram with 128 sub-buckets per power of two (relative error at most 1/256).</summary>
    public LogLinearHistogram() : this(DefaultSubBucketBits)
    {
    }

    /// <summary>
    /// A histogram with 2^<paramref name="subBucketBits"/> linear sub-buckets per power of two.
    /// Quantiles are then within 2^-(subBucketBits+1) relative error: 6 or more keeps them within 1%.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="subBucketBits"/> is outside [<see cref="MinSubBucketBits"/>, <see cref="MaxSubBucketBits"/>].
    /// </exception>
    public LogLinearHistogram(int subBucketBits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(subBucketBits, MinSubBucketBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subBucketBits, MaxSubBucketBits);
        _subBucketBits = subBucketBits;
        _exactMask = (2UL << subBucketBits) - 1;
        _counts = new long[(64 - subBucketBits) << subBucketBits];
    }

    /// <summary>log2 of the number of linear sub-buckets per power of two.</summary>
    public int SubBucketBits => _subBucketBits;

    /// <summary>The number of linear sub-buckets per power of two (S = 2^<see cref="SubBucketBits"/>).</summary>
    public int SubBucketCount => 1 << _subBucketBits;

    /// <summary>
    /// The number of buckets, (64 − p)·2^p: fixed by the layout, independent of how many values
    /// are recorded.
    /// </summary>
    public int BucketCount => _counts.Length;

    /// <summary>
    /// The largest relative error of <see cref="ValueAtQuantile"/> against the exact nearest-rank
    /// sample quantile: 2^-(p+1), i.e. 1/256 with the default layout.
    /// </summary>
    public double MaxRelativeError => 1.0 / (2L << _subBucketBits);

    /// <summary>Values below this bound (2S, 256 with the default layout) each have a bucket of their own.</summary>
    public long ExactBelow => 2L << _subBucketBits;

    /// <summary>The number of recorded values.</summary>
    public long Count => _count;

    /// <summary>True when nothing has been recorded (since construction or the last <see cref="Reset"/>).</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>The smallest recorded value, exactly.</summary>
    /// <exception cref="InvalidOperationException">The histogram is empty.</exception>
    public long Min => _count == 0 ? throw Empty() : _min;

    /// <summary>The largest recorded value, exactly.</summary>
    /// <exception cref="InvalidOperationException">The histogram is empty.</exception>
    public long Max => _count == 0 ? throw Empty() : _max;

    /// <summary>The exact sum of the recorded values (never overflows: see the remarks on the type).</summary>
    public Int128 Sum => _sum;

    /// <summary>
    /// The mean of the recorded values: the exact <see cref="Sum"/> divided by <see cref="Count"/>
    /// in double precision (so only the final division rounds); <see cref="double.NaN"/> when empty.
    /// </summary>
    public double Mean => _count == 0 ? double.NaN : (double)_sum / _count;

    /// <summary>Records one occurrence of <paramref name="value"/>. Allocates nothing.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(long value)
    {
        if (value < 0)
        {
            ThrowNegative(nameof(value), value);
        }
        var count = checked(_count + 1);
        _counts[IndexOf(value)]++;
        _count = count;
        _sum += value;
        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
    }

    /// <summary>
    /// Records <paramref name="count"/> occurrences of <paramref name="value"/> (a count of zero
    /// records nothing). Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> or <paramref name="count"/> is negative.</exception>
    /// <exception cref="OverflowException">The total count would exceed <see cref="long.MaxValue"/>; nothing is recorded.</exception>
    public void Record(long value, long count)
    {
        if (value < 0)
        {
            ThrowNegative(nameof(value), value);
        }
        if (count <= 0)
        {
            if (count < 0)
            {
                ThrowNegative(nameof(count), count);
            }
            return;
        }
        var total = checked(_count + count);
        _counts[IndexOf(value)] += count;
        _count = total;
        _sum += (Int128)value * count;
        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
    }

    /// <summary>
    /// The value at quantile <paramref name="q"/>, by the nearest-rank definition: the r-th
    /// smallest recorded value, with r = ⌈q·n⌉ (computed in double precision) clamped to [1, n].
    /// Equivalently, the smallest recorded v such that at least ⌈q·n⌉ recorded values are ≤ v.
    /// </summary>
    /// <remarks>
    /// Ranks 1 and n (so q = 0 and q = 1) return <see cref="Min"/> and <see cref="Max"/> exactly.
    /// Otherwise the answer is the midpoint of the bucket holding the r-th value, clamped to
    /// [Min, Max]: exact below <see cref="ExactBelow"/>, and within <see cref="MaxRelativeError"/>
    /// (1/256 by default) of the true value above. The answer need not be a recorded value.
    /// O(<see cref="BucketCount"/>); never allocates.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="q"/> is not in [0, 1] (or is NaN).</exception>
    /// <exception cref="InvalidOperationException">The histogram is empty.</exception>
    public long ValueAtQuantile(double q)
    {
        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "the quantile must be in [0, 1]");
        }
        if (_count == 0)
        {
            throw Empty();
        }
        var rank = RankOf(q, _count);
        if (rank == 1)
        {
            return _min;
        }
        if (rank == _count)
        {
            return _max;
        }
        var last = IndexOf(_max);
        var cumulative = 0L;
        for (var i = IndexOf(_min); i < last; i++)
        {
            cumulative += _counts[i];
            if (cumulative >= rank)
            {
                return Math.Clamp(Midpoint(i), _min, _max);
            }
        }
        // The r-th value is in Max's bucket.
        return Math.Clamp(Midpoint(last), _min, _max);
    }

    /// <summary>
    /// The fraction of recorded values ≤ <paramref name="value"/>, at bucket resolution: every value
    /// in <paramref name="value"/>'s bucket counts as ≤ it. So the result is the exact empirical CDF at
    /// that bucket's upper bound, which is at most a factor 1 + 1/S (1/128 by default) above
    /// <paramref name="value"/>; it is exact below <see cref="ExactBelow"/>, below <see cref="Min"/>
    /// (0) and at or above <see cref="Max"/> (1). Monotone in <paramref name="value"/>, and consistent
    /// with <see cref="ValueAtQuantile"/>: <c>CdfAt(ValueAtQuantile(q)) ≥ q</c>.
    /// <see cref="double.NaN"/> when empty. Negative arguments give 0.
    /// </summary>
    public double CdfAt(long value)
    {
        if (_count == 0)
        {
            return double.NaN;
        }
        if (value < _min)
        {
            return 0;
        }
        if (value >= _max)
        {
            return 1;
        }
        var last = IndexOf(value);
        var cumulative = 0L;
        for (var i = IndexOf(_min); i <= last; i++)
        {
            cumulative += _counts[i];
        }
        return (double)cumulative / _count;
    }

    /// <summary>
    /// Adds everything recorded in <paramref name="other"/> to this histogram, as if its values had
    /// been recorded here: the result is identical to recording both streams into one histogram.
    /// Merging a histogram into itself doubles every count.
    /// </summary>
    /// <exception cref="ArgumentException">The layouts (<see cref="SubBucketBits"/>) differ.</exception>
    /// <exception cref="OverflowException">The total count would exceed <see cref="long.MaxValue"/>; nothing is changed.</exception>
    public void Merge(LogLinearHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._subBucketBits != _subBucketBits)
        {
            throw new ArgumentException(
                $"cannot merge a histogram with {other._subBucketBits} sub-bucket bits into one with {_subBucketBits}",
                nameof(other));
        }
        if (other._count == 0)
        {
            return;
        }
        var total = checked(_count + other._count);
        var last = IndexOf(other._max);
        for (var i = IndexOf(other._min); i <= last; i++)
        {
            _counts[i] += other._counts[i];
        }
        _count = total;
        _sum += other._sum;
        _min = Math.Min(_min, other._min);
        _max = Math.Max(_max, other._max);
    }

    /// <summary>Forgets everything recorded, keeping the bucket array (no allocation).</summary>
    public void Reset()
    {
        if (_count != 0)
        {
            // Only buckets between Min's and Max's can be non-zero.
            var first = IndexOf(_min);
            Array.Clear(_counts, first, IndexOf(_max) - first + 1);
        }
        _count = 0;
        _sum = 0;
        _min = long.MaxValue;
        _max = long.MinValue;
    }

    /// <summary>
    /// The non-empty buckets in increasing value order (for writing the histogram to CSV). Their
    /// counts sum to <see cref="Count"/>. The sequence is lazy: do not record while enumerating it.
    /// </summary>
    public IEnumerable<HistogramBucket> NonEmptyBuckets()
    {
        if (_count == 0)
        {
            yield break;
        }
        var last = IndexOf(_max);
        for (var i = IndexOf(_min); i <= last; i++)
        {
            var count = _counts[i];
            if (count != 0)
            {
                yield return new HistogramBucket(BucketLow(i), BucketHigh(i), count);
            }
        }
    }

    /// <summary>
    /// The bucket of a non-negative value. With k = max(0, ⌊log2 v⌋ − p), the index is
    /// k·S + ⌊v / 2^k⌋: for v &lt; 2S that is v itself (k = 0, exact buckets), and for larger v,
    /// ⌊v / 2^k⌋ lies in [S, 2S), so each power of two gets S consecutive indices.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int IndexOf(long value)
    {
        var v = (ulong)value;
        var k = BitOperations.Log2(v | _exactMask) - _subBucketBits;
        return (k << _subBucketBits) + (int)(v >> k);
    }

    /// <summary>The smallest value of bucket <paramref name="index"/>.</summary>
    internal long BucketLow(int index)
    {
        var k = Math.Max(0, (index >> _subBucketBits) - 1);
        return (long)(index - (k << _subBucketBits)) << k;
    }

    /// <summary>The largest value of bucket <paramref name="index"/> (the top bucket ends at <see cref="long.MaxValue"/>).</summary>
    internal long BucketHigh(int index)
    {
        var k = Math.Max(0, (index >> _subBucketBits) - 1);
        return BucketLow(index) + ((1L << k) - 1);
    }

    /// <summary>The bucket's representative: its midpoint, rounded down (no overflow at the top).</summary>
    internal long Midpoint(int index)
    {
        var low = BucketLow(index);
        return low + ((BucketHigh(index) - low) >> 1);
    }

    /// <summary>The nearest rank ⌈q·n⌉, clamped to [1, n].</summary>
    internal static long RankOf(double q, long n)
    {
        var qn = q * n;
        if (qn >= n)
        {
            return n;
        }
        return Math.Clamp((long)Math.Ceiling(qn), 1L, n);
    }

    private static InvalidOperationException Empty() => new("the histogram is empty");

    private static void ThrowNegative(string name, long value) =>
        throw new ArgumentOutOfRangeException(name, value, "must not be negative");
}
