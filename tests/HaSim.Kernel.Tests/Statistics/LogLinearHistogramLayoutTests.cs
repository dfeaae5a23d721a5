using HaSim.Kernel.Statistics;

namespace HaSim.Kernel.Tests.Statistics;

public class LogLinearHistogramLayoutTests
{
    [Theory]
    [InlineData(LogLinearHistogram.MinSubBucketBits)]
    [InlineData(6)]
    [InlineData(LogLinearHistogram.DefaultSubBucketBits)]
    [InlineData(LogLinearHistogram.MaxSubBucketBits)]
    public void BucketsTileZeroToLongMaxValueWithBoundedRelativeWidth(int subBucketBits)
    {
        var histogram = new LogLinearHistogram(subBucketBits);
        var s = histogram.SubBucketCount;
        Assert.Equal(1 << subBucketBits, s);
        Assert.Equal((64 - subBucketBits) * s, histogram.BucketCount);
        Assert.Equal(2L * s, histogram.ExactBelow);

        Assert.Equal(0, histogram.BucketLow(0));
        Assert.Equal(long.MaxValue, histogram.BucketHigh(histogram.BucketCount - 1));
        // Plain checks in the loop (one Assert at the end) keep the 217k-bucket layout fast.
        string? failure = null;
        for (var i = 0; i < histogram.BucketCount && failure is null; i++)
        {
            var (low, high) = (histogram.BucketLow(i), histogram.BucketHigh(i));
            var midpoint = histogram.Midpoint(i);
            // Width / low <= 1/S above the exact range: the source of the 1/(2S) quantile bound.
            var width = (UInt128)(ulong)(high - low) + 1;
            var ok = low <= high
                && histogram.IndexOf(low) == i
                && histogram.IndexOf(high) == i
                && midpoint >= low && midpoint <= high
                && (i + 1 == histogram.BucketCount || histogram.BucketLow(i + 1) == high + 1)
                && (low < histogram.ExactBelow ? low == high : width * (UInt128)s <= (UInt128)(ulong)low);
            if (!ok)
            {
                failure = $"bucket {i} [{low}, {high}] midpoint {midpoint}";
            }
        }
        Assert.Null(failure);
    }

    [Fact]
    public void DefaultLayoutHas7296BucketsAndAQuarterPercentBound()
    {
        var histogram = new LogLinearHistogram();
        Assert.Equal(7, histogram.SubBucketBits);
        Assert.Equal(128, histogram.SubBucketCount);
        Assert.Equal(7296, histogram.BucketCount);
        Assert.Equal(256, histogram.ExactBelow);
        Assert.Equal(1.0 / 256, histogram.MaxRelativeError);
    }

    [Fact]
    public void RandomValuesLandInTheBucketThatContainsThem()
    {
        var histogram = new LogLinearHistogram();
        var rng = new SimRandom(7, "histogram-layout");
        for (var i = 0; i < 100_000; i++)
        {
            // Spread over all magnitudes: a random 63-bit number shifted right by a random amount.
            var value = (long)(rng.NextUInt64() >> (1 + rng.NextInt(63)));
            var index = histogram.IndexOf(value);
            Assert.InRange(value, histogram.BucketLow(index), histogram.BucketHigh(index));
        }
    }

    [Fact]
    public void PowersOfTwoAndTheirNeighboursLandInTheirBuckets()
    {
        var histogram = new LogLinearHistogram();
        for (var e = 0; e < 63; e++)
        {
            foreach (var value in new[] { (1L << e) - 1, 1L << e, (1L << e) + 1 })
            {
                var index = histogram.IndexOf(value);
                Assert.InRange(value, histogram.BucketLow(index), histogram.BucketHigh(index));
            }
        }
        Assert.Equal(histogram.BucketCount - 1, histogram.IndexOf(long.MaxValue));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    [InlineData(-1)]
    public void LayoutsOutsideTheSupportedRangeAreRejected(int subBucketBits)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogLinearHistogram(subBucketBits));
    }
}
