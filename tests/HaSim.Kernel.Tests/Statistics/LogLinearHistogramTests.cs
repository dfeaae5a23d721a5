using HaSim.Kernel.Statistics;

namespace HaSim.Kernel.Tests.Statistics;

public class LogLinearHistogramTests
{
    [Theory]
    [MemberData(nameof(Samples.All), MemberType = typeof(Samples))]
    public void CountMinMaxSumAndMeanAreExact(string name)
    {
        var values = Samples.Generate(name);
        var histogram = Samples.Histogram(values);
        Int128 sum = 0;
        foreach (var value in values)
        {
            sum += value;
        }
        Assert.Equal(values.Length, histogram.Count);
        Assert.Equal(values.Min(), histogram.Min);
        Assert.Equal(values.Max(), histogram.Max);
        Assert.Equal(sum, histogram.Sum);
        Assert.Equal((double)sum / values.Length, histogram.Mean);
    }

    [Fact]
    public void MeanOfSmallValuesIsTheArithmeticMean()
    {
        var histogram = new LogLinearHistogram();
        histogram.Record(1);
        histogram.Record(2);
        histogram.Record(4, 2);
        Assert.Equal(11.0 / 4, histogram.Mean);
    }

    [Fact]
    public void ExtremeValuesAreRecordedExactly()
    {
        var histogram = new LogLinearHistogram();
        histogram.Record(0);
        histogram.Record(1);
        histogram.Record(long.MaxValue);
        Assert.Equal(3, histogram.Count);
        Assert.Equal(0, histogram.Min);
        Assert.Equal(long.MaxValue, histogram.Max);
        Assert.Equal((Int128)long.MaxValue + 1, histogram.Sum);
        Assert.Equal(9223372036854775808.0 / 3, histogram.Mean);
        Assert.Equal(0, histogram.ValueAtQuantile(0));
        Assert.Equal(1, histogram.ValueAtQuantile(0.5));
        Assert.Equal(long.MaxValue, histogram.ValueAtQuantile(0.9));
        Assert.Equal(long.MaxValue, histogram.ValueAtQuantile(1));
        var buckets = histogram.NonEmptyBuckets().ToArray();
        Assert.Equal(3, buckets.Length);
        Assert.Equal(new HistogramBucket(0, 0, 1), buckets[0]);
        Assert.Equal(new HistogramBucket(1, 1, 1), buckets[1]);
        Assert.Equal(long.MaxValue, buckets[2].HighInclusive);
        Assert.Equal(1, buckets[2].Count);
        Assert.Equal(1.0, histogram.CdfAt(long.MaxValue));
        Assert.Equal(2.0 / 3, histogram.CdfAt(1));
    }

    [Fact]
    public void HugeCountsDoNotOverflowTheSumAndTheCountOverflowIsReported()
    {
        var histogram = new LogLinearHistogram();
        histogram.Record(long.MaxValue, long.MaxValue);
        Assert.Equal((Int128)long.MaxValue * long.MaxValue, histogram.Sum);
        Assert.Equal((double)long.MaxValue, histogram.Mean);
        Assert.Equal(long.MaxValue, histogram.ValueAtQuantile(0.5));

        Assert.Throws<OverflowException>(() => histogram.Record(0));
        Assert.Throws<OverflowException>(() => histogram.Record(0, 5));
        Assert.Throws<OverflowException>(() => histogram.Merge(histogram));
        // Nothing changed.
        Assert.Equal(long.MaxValue, histogram.Count);
        Assert.Equal(long.MaxValue, histogram.Min);
        Assert.Equal(new HistogramBucket(histogram.BucketLow(histogram.BucketCount - 1), long.MaxValue, long.MaxValue),
            Assert.Single(histogram.NonEmptyBuckets()));
    }

    [Fact]
    public void NegativeValuesAndCountsThrowAndChangeNothing()
    {
        var histogram = new LogLinearHistogram();
        histogram.Record(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.Record(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.Record(long.MinValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.Record(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.Record(1, -1));
        Assert.Equal(1, histogram.Count);
        Assert.Equal(10, histogram.Min);
        Assert.Equal(10, histogram.Sum);
    }

    [Fact]
    public void RecordingWithACountEqualsRecordingRepeatedly()
    {
        var (once, repeated) = (new LogLinearHistogram(), new LogLinearHistogram());
        foreach (var (value, count) in new[] { (0L, 3L), (77L, 1L), (1_000_003L, 250L), (9_000_000_000L, 2L), (5L, 0L) })
        {
            once.Record(value, count);
            for (var i = 0; i < count; i++)
            {
                repeated.Record(value);
            }
        }
        AssertSame(repeated, once);
    }

    [Fact]
    public void RecordingZeroOccurrencesRecordsNothing()
    {
        var histogram = new LogLinearHistogram();
        histogram.Record(123, 0);
        Assert.True(histogram.IsEmpty);
        Assert.Empty(histogram.NonEmptyBuckets());
    }

    [Fact]
    public void AnEmptyHistogramSaysSo()
    {
        var histogram = new LogLinearHistogram();
        Assert.True(histogram.IsEmpty);
        Assert.Equal(0, histogram.Count);
        Assert.Equal(0, histogram.Sum);
        Assert.True(double.IsNaN(histogram.Mean));
        Assert.True(double.IsNaN(histogram.CdfAt(5)));
        Assert.Throws<InvalidOperationException>(() => histogram.Min);
        Assert.Throws<InvalidOperationException>(() => histogram.Max);
        Assert.Throws<InvalidOperationException>(() => histogram.ValueAtQuantile(0.5));
        Assert.Empty(histogram.NonEmptyBuckets());
    }

    [Theory]
    [InlineData(-0.001)]
    [InlineData(1.001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void QuantilesOutsideZeroToOneAreRejected(double q)
    {
        var histogram = new LogLinearHistogram();
        histogram.Record(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.ValueAtQuantile(q));
    }

    [Fact]
    public void MergeEqualsRecordingEverythingIntoOne()
    {
        var a = Samples.Generate("lognormal-median-0.8ms-sigma-2");
        var b = Samples.Generate("bimodal-1ms-and-10s");
        var c = Samples.Generate("uniform-small-integers");
        var all = Samples.Histogram([.. a, .. b, .. c]);

        var merged = Samples.Histogram(a);
        merged.Merge(Samples.Histogram(b));
        merged.Merge(Samples.Histogram(c));
        merged.Merge(new LogLinearHistogram());
        AssertSame(all, merged);

        var intoEmpty = new LogLinearHistogram();
        intoEmpty.Merge(all);
        AssertSame(all, intoEmpty);
    }

    [Fact]
    public void MergingIntoItselfDoublesEveryCount()
    {
        var values = Samples.Generate("exponential-mean-1ms");
        var doubled = Samples.Histogram([.. values, .. values]);
        var histogram = Samples.Histogram(values);
        histogram.Merge(histogram);
        AssertSame(doubled, histogram);
    }

    [Fact]
    public void MergingDifferentLayoutsIsRejected()
    {
        var histogram = new LogLinearHistogram(7);
        Assert.Throws<ArgumentException>(() => histogram.Merge(new LogLinearHistogram(6)));
        Assert.Throws<ArgumentNullException>(() => histogram.Merge(null!));
    }

    [Fact]
    public void ResetForgetsEverythingAndTheHistogramIsReusable()
    {
        var histogram = Samples.Histogram(Samples.Generate("log-uniform-1ns-to-2h"));
        histogram.Reset();
        Assert.True(histogram.IsEmpty);
        Assert.Equal(0, histogram.Sum);
        Assert.Empty(histogram.NonEmptyBuckets());
        Assert.Throws<InvalidOperationException>(() => histogram.Min);

        var values = Samples.Generate("pareto-alpha-1.1");
        foreach (var value in values)
        {
            histogram.Record(value);
        }
        AssertSame(Samples.Histogram(values), histogram);
    }

    [Theory]
    [MemberData(nameof(Samples.All), MemberType = typeof(Samples))]
    public void BucketsAreOrderedAndSumToTheCount(string name)
    {
        var values = Samples.Generate(name);
        var sorted = Samples.Sorted(values);
        var histogram = Samples.Histogram(values);
        var buckets = histogram.NonEmptyBuckets().ToArray();
        Assert.Equal(histogram.Count, buckets.Sum(b => b.Count));
        for (var i = 0; i < buckets.Length; i++)
        {
            Assert.True(buckets[i].Count > 0);
            Assert.True(buckets[i].LowInclusive <= buckets[i].HighInclusive);
            if (i > 0)
            {
                Assert.True(buckets[i - 1].HighInclusive < buckets[i].LowInclusive);
            }
            // Each bucket holds exactly the recorded values in its range.
            var inRange = Samples.CountAtOrBelow(sorted, buckets[i].HighInclusive)
                - Samples.CountAtOrBelow(sorted, buckets[i].LowInclusive - 1);
            Assert.Equal(inRange, buckets[i].Count);
        }
        Assert.InRange(sorted[0], buckets[0].LowInclusive, buckets[0].HighInclusive);
        Assert.InRange(sorted[^1], buckets[^1].LowInclusive, buckets[^1].HighInclusive);
    }

    [Fact]
    public void BucketContentsDoNotDependOnRecordingOrder()
    {
        var values = Samples.Generate("log-uniform-1ns-to-2h");
        var reversed = (long[])values.Clone();
        Array.Reverse(reversed);
        AssertSame(Samples.Histogram(Samples.Sorted(values)), Samples.Histogram(reversed));
    }

    [Theory]
    [MemberData(nameof(Samples.All), MemberType = typeof(Samples))]
    public void CdfIsMonotoneBracketsTheExactCdfAndIsConsistentWithQuantiles(string name)
    {
        var values = Samples.Generate(name);
        var sorted = Samples.Sorted(values);
        var histogram = Samples.Histogram(values);

        // Probe the sample values, their neighbours and every bucket edge, in increasing order.
        var probes = new SortedSet<long> { 0, long.MaxValue };
        foreach (var value in sorted.Where((_, i) => i % 199 == 0).Append(sorted[^1]))
        {
            probes.Add(value);
            probes.Add(Math.Max(0, value - 1));
            probes.Add(value == long.MaxValue ? value : value + 1);
        }
        for (var i = 0; i < histogram.BucketCount; i += 5)
        {
            probes.Add(histogram.BucketLow(i));
            probes.Add(histogram.BucketHigh(i));
        }
        var previous = 0.0;
        foreach (var x in probes)
        {
            var cdf = histogram.CdfAt(x);
            Assert.True(cdf >= previous, $"not monotone at {x}");
            previous = cdf;
            // Bucket resolution: at least the exact CDF at x, at most the exact CDF at x's bucket top.
            Assert.InRange(cdf, Samples.ExactCdf(sorted, x), Samples.ExactCdf(sorted, histogram.BucketHigh(histogram.IndexOf(x))));
            if (x == histogram.BucketHigh(histogram.IndexOf(x)) || x < sorted[0] || x >= sorted[^1])
            {
                Assert.Equal(Samples.ExactCdf(sorted, x), cdf);
            }
        }
        Assert.Equal(0.0, histogram.CdfAt(-5));
        Assert.Equal(1.0, histogram.CdfAt(sorted[^1]));

        for (var i = 0; i <= 400; i++)
        {
            var q = i / 400.0;
            var value = histogram.ValueAtQuantile(q);
            Assert.True(histogram.CdfAt(value) >= q - 1e-12, $"CdfAt(ValueAtQuantile({i}/400)) < q");
            // Nothing below the reported value's bucket reaches q: the answer is the first bucket that does.
            var below = histogram.BucketLow(histogram.IndexOf(value)) - 1;
            if (below >= 0 && value != sorted[0])
            {
                Assert.True(histogram.CdfAt(below) < q + 1e-12, $"an earlier bucket already reaches q={i}/400");
            }
        }
    }

    [Fact]
    public void RecordAndQueriesAllocateNothing()
    {
        var values = Samples.Generate("log-uniform-1ns-to-2h");
        var histogram = new LogLinearHistogram();
        var other = Samples.Histogram(values);
        // Warm up (JIT) before measuring.
        histogram.Record(1);
        histogram.Record(2, 2);
        _ = histogram.ValueAtQuantile(0.5) + histogram.CdfAt(1) + histogram.Mean;
        histogram.Merge(other);
        histogram.Reset();

        // The runtime may allocate on the calling thread while it moves a callee to its next tier
        // (this test failed under load with 8 kB counted while recording). That happens once; an
        // allocation by Record or the queries happens in every pass. So the least any of four
        // passes allocates must be zero.
        var recording = long.MaxValue;
        var querying = long.MaxValue;
        for (var pass = 0; pass < 4; pass++)
        {
            var (recorded, queried, sink) = MeasureAllocations(histogram, other, values);
            Assert.True(sink > 0);
            recording = Math.Min(recording, recorded);
            querying = Math.Min(querying, queried);
        }

        Assert.Equal(0, recording);
        Assert.Equal(0, querying);
    }

    // Compiled optimized at once: no tiering or on-stack replacement of the loops while they are measured.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static (long Recording, long Querying, double Sink) MeasureAllocations(LogLinearHistogram histogram, LogLinearHistogram other, long[] values)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var value in values)
        {
            histogram.Record(value);
            histogram.Record(value, 3);
        }
        var recorded = GC.GetAllocatedBytesForCurrentThread();
        var sink = 0.0;
        for (var i = 0; i <= 100; i++)
        {
            sink += histogram.ValueAtQuantile(i / 100.0) + histogram.CdfAt(i * 1_000_000L);
        }
        sink += histogram.Mean;
        histogram.Merge(other);
        histogram.Reset();
        var after = GC.GetAllocatedBytesForCurrentThread();
        return (recorded - before, after - recorded, sink);
    }

    [Fact]
    public void MemoryDoesNotGrowWithTheNumberOfRecords()
    {
        var histogram = new LogLinearHistogram();
        var buckets = histogram.BucketCount;
        var rng = new SimRandom(3, "histogram-memory");
        // Warm-up, then the fewest bytes over three rounds of a million records: the runtime itself
        // allocated on this thread during a measured round now and then in a full parallel test run
        // (8 kB once, after a warm-up); a histogram that allocates per record does so in every round.
        RecordRandomValues(histogram, rng, 1_000);
        var fewest = long.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            fewest = Math.Min(fewest, RecordRandomValues(histogram, rng, 1_000_000));
        }
        Assert.Equal(0, fewest);
        Assert.Equal(buckets, histogram.BucketCount);
        Assert.Equal(3_001_000, histogram.Count);
        Assert.True(histogram.NonEmptyBuckets().Count() <= buckets);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static long RecordRandomValues(LogLinearHistogram histogram, SimRandom rng, int count)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++)
        {
            histogram.Record((long)(rng.NextUInt64() >> (1 + rng.NextInt(63))));
        }
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    internal static void AssertSame(LogLinearHistogram expected, LogLinearHistogram actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Sum, actual.Sum);
        Assert.Equal(expected.IsEmpty, actual.IsEmpty);
        if (!expected.IsEmpty)
        {
            Assert.Equal(expected.Min, actual.Min);
            Assert.Equal(expected.Max, actual.Max);
            Assert.Equal(expected.Mean, actual.Mean);
            foreach (var q in Samples.RequiredQuantiles)
            {
                Assert.Equal(expected.ValueAtQuantile(q), actual.ValueAtQuantile(q));
            }
        }
        Assert.Equal(expected.NonEmptyBuckets().ToArray(), actual.NonEmptyBuckets().ToArray());
    }
}
