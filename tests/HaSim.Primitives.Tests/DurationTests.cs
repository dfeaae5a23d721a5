using HaSim.Primitives;

namespace HaSim.Primitives.Tests;

public class DurationTests
{
    [Theory]
    [InlineData("250us", 250_000L)]
    [InlineData("1.5ms", 1_500_000L)]
    [InlineData("30s", 30_000_000_000L)]
    [InlineData("2m", 120_000_000_000L)]
    [InlineData("1h", 3_600_000_000_000L)]
    [InlineData("1m30s", 90_000_000_000L)]
    [InlineData("7ns", 7L)]
    [InlineData("0.000001ms", 1L)]
    [InlineData("0s", 0L)]
    [InlineData(" 12 ms ", 12_000_000L)]
    [InlineData("-5ms", -5_000_000L)]
    [InlineData("3µs", 3_000L)]
    public void ParsesUnits(string text, long nanoseconds)
    {
        Assert.Equal(nanoseconds, Duration.Parse(text).Nanoseconds);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("12", "without a unit")]
    [InlineData("12 parsecs", "unknown unit 'parsecs'")]
    [InlineData("ms", "is not a duration")]
    [InlineData("1.2.3ms", "malformed number")]
    [InlineData("0.5ns", "whole number of nanoseconds")]
    [InlineData("99999999999h", "too long")]
    public void RejectsMalformedTextWithAHelpfulMessage(string text, string fragment)
    {
        Assert.False(Duration.TryParse(text, out _, out var error));
        Assert.Contains(fragment, error, StringComparison.Ordinal);
        var ex = Assert.Throws<FormatException>(() => Duration.Parse(text));
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(250_000L, "250us")]
    [InlineData(1_500_000L, "1.5ms")]
    [InlineData(30_000_000_000L, "30s")]
    [InlineData(120_000_000_000L, "2m")]
    [InlineData(90_000_000_000L, "90s")]
    [InlineData(3_600_000_000_000L, "1h")]
    [InlineData(1L, "1ns")]
    [InlineData(1_234_567_891L, "1.234567891s")]
    [InlineData(0L, "0s")]
    [InlineData(-800_000L, "-800us")]
    public void PrintsTheShortestExactForm(long nanoseconds, string text)
    {
        Assert.Equal(text, new Duration(nanoseconds).ToString());
    }

    [Fact]
    public void TextRoundTripsExactly()
    {
        var samples = new long[] { 0, 1, 999, 1000, 1001, 123_456_789, 59_999_999_999, 60_000_000_000, 7_200_000_000_001, long.MaxValue, -42 };
        foreach (var ns in samples)
        {
            var d = new Duration(ns);
            Assert.Equal(d, Duration.Parse(d.ToString()));
        }
    }

    [Fact]
    public void Algebra()
    {
        var a = Duration.Parse("1.5ms");
        var b = Duration.Parse("500us");
        Assert.Equal(Duration.Parse("2ms"), a + b);
        Assert.Equal(Duration.Parse("1ms"), a - b);
        Assert.Equal(Duration.Parse("3ms"), a * 2);
        Assert.Equal(Duration.Parse("750us"), a / 2);
        Assert.Equal(3, a / b);
        Assert.True(b < a);
        Assert.Equal(b, Duration.Min(a, b));
        Assert.Equal(0.0015, a.TotalSeconds, 15);
        Assert.Equal(Duration.FromNanoseconds(2), Duration.FromNanosecondsRounded(1.5));
        Assert.Equal(Duration.FromNanoseconds(-2), Duration.FromNanosecondsRounded(-1.5));
        Assert.Equal(Duration.FromMilliseconds(250), Duration.FromSecondsRounded(0.25));
        Assert.Throws<OverflowException>(() => Duration.MaxValue + Duration.FromNanoseconds(1));
    }
}

public class DurationRoundingTests
{
    [Theory]
    [InlineData(0.0, 0L)]
    [InlineData(0.49999999999999994, 0L)]
    [InlineData(2.5, 3L)]
    [InlineData(-2.5, -3L)]
    [InlineData(123456.4999, 123456L)]
    [InlineData(8.999999999999999e18, 8999999999999998976L)]
    [InlineData(9.1e18, 9100000000000000000L)]          // beyond the fast path, still in range
    [InlineData(-9.1e18, -9100000000000000000L)]
    [InlineData(1e19, long.MaxValue)]                    // saturates
    [InlineData(double.PositiveInfinity, long.MaxValue)]
    [InlineData(-1e19, long.MinValue)]
    public void RoundsHalfAwayFromZeroAndSaturates(double nanoseconds, long expected) =>
        Assert.Equal(expected, Duration.FromNanosecondsRounded(nanoseconds).Nanoseconds);

    [Fact]
    public void NaNIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Duration.FromNanosecondsRounded(double.NaN));

    [Fact]
    public void AgreesWithMathRoundOnSampledDelays()
    {
        var random = new Random(5);
        for (var i = 0; i < 100_000; i++)
        {
            var x = Math.Exp(random.NextDouble() * 40) * (random.Next(2) == 0 ? 1 : -1) + (random.Next(4) == 0 ? 0.5 : 0);
            Assert.Equal((long)Math.Round(x, MidpointRounding.AwayFromZero), Duration.FromNanosecondsRounded(x).Nanoseconds);
        }
    }
}

public class InstantTests
{
    [Fact]
    public void PointAndVectorAlgebra()
    {
        var t0 = Instant.Start + Duration.Parse("10s");
        var t1 = t0 + Duration.Parse("250ms");
        Assert.Equal(Duration.Parse("250ms"), t1 - t0);
        Assert.Equal(t0, t1 - Duration.Parse("250ms"));
        Assert.True(t0 < t1);
        Assert.Equal(t1, Instant.Max(t0, t1));
        Assert.Equal("T+10.25s", t1.ToString());
        Assert.Equal(t1, Instant.Parse("T+10.25s"));
        Assert.Equal(t1, Instant.Parse("10.25s"));
        Assert.Equal(Instant.MaxValue, t1.SaturatingAdd(Duration.MaxValue));
        // Instant + Instant does not compile, by design: there is no such operator.
        Assert.Null(typeof(Instant).GetMethod("op_Addition", [typeof(Instant), typeof(Instant)]));
    }
}

public class LsnTests
{
    [Fact]
    public void PrintsAndParsesPostgresTextForm()
    {
        var lsn = new Lsn((1UL << 32) | 0x16B3748UL);
        Assert.Equal("1/16B3748", lsn.ToString());
        Assert.Equal(lsn, Lsn.Parse("1/16B3748"));
        Assert.Equal(lsn, Lsn.Parse("1/16b3748"));
        Assert.Equal("0/0", Lsn.Zero.ToString());
        Assert.Throws<FormatException>(() => Lsn.Parse("16B3748"));
        Assert.Throws<FormatException>(() => Lsn.Parse("0/xyz"));
    }

    [Fact]
    public void DifferencesAreByteCounts()
    {
        var a = new Lsn(1000);
        var b = a + 24;
        Assert.Equal(24, b - a);
        Assert.Equal(-24, a - b);
        Assert.Equal(b, Lsn.Max(a, b));
    }
}

public class IdTests
{
    [Fact]
    public void IdsCompareByIndexAndTermsIncrease()
    {
        Assert.True(new NodeId(1).CompareTo(new NodeId(2)) < 0);
        Assert.Equal("node3", new NodeId(3).ToString());
        Assert.Equal(new Term(2), Term.Initial.Next());
        Assert.True(Term.Initial < Term.Initial.Next());
    }
}
