using HaSim.Checkers;

namespace HaSim.Checkers.Tests;

public class LongSpansTests
{
    /// <summary>Nearly sorted (small displacements), a few far-displaced values, reversed, random, and many equal values.</summary>
    public static TheoryData<string> Shapes() => ["nearly", "stragglers", "reversed", "random", "few distinct", "empty", "one"];

    private static long[] Make(string shape, int seed)
    {
        var random = new Random(seed);
        var n = shape switch { "empty" => 0, "one" => 1, _ => 5_000 };
        var values = new long[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = shape switch
            {
                "nearly" => i * 1_000L + random.Next(5_000),
                "stragglers" => i * 1_000L + (random.Next(100) == 0 ? random.Next(2_000_000) : 0),
                "reversed" => -i,
                "few distinct" => random.Next(4),
                _ => random.NextInt64(),
            };
        }
        return values;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SortNearlySortedSortsAnyInput(string shape)
    {
        for (var seed = 1; seed <= 5; seed++)
        {
            var values = Make(shape, seed);
            var expected = values.Order().ToArray();
            LongSpans.SortNearlySorted(values);
            Assert.Equal(expected, values);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SelectFindsTheValueASortWouldPutAtTheIndex(string shape)
    {
        for (var seed = 1; seed <= 5; seed++)
        {
            var values = Make(shape, seed);
            var sorted = values.Order().ToArray();
            foreach (var k in new[] { 0, values.Length / 2, (values.Length - 1) / 2, values.Length - 1, values.Length / 7 }.Where(k => k >= 0 && k < values.Length))
            {
                var copy = (long[])values.Clone();
                Assert.Equal(sorted[k], LongSpans.Select(copy, k));
                Assert.Equal(sorted, copy.Order().ToArray()); // reordered, never changed
            }
        }
    }

    [Fact]
    public void SelectRejectsAnIndexOutsideTheSpan() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LongSpans.Select(new long[3], 3));
}
