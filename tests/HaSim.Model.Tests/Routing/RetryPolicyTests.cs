using HaSim.Kernel;
using HaSim.Model.Routing;
using HaSim.Primitives;

namespace HaSim.Model.Tests.Routing;

public class RetryPolicyTests
{
    private static readonly RetryPolicy Policy = new()
    {
        BackoffBase = Duration.FromMilliseconds(100),
        BackoffCap = Duration.FromSeconds(1),
        Multiplier = 2,
        MaxAttempts = 100,
    };

    [Theory]
    [InlineData(1, "100ms")]
    [InlineData(2, "200ms")]
    [InlineData(3, "400ms")]
    [InlineData(4, "800ms")]
    [InlineData(5, "1s")]
    [InlineData(99, "1s")]
    public void TheCeilingGrowsGeometricallyUpToTheCap(int attempt, string ceiling)
    {
        Assert.Equal(Duration.Parse(ceiling), Policy.Ceiling(attempt));
    }

    [Fact]
    public void AFractionalMultiplierIsExact()
    {
        Assert.Equal(Duration.FromMilliseconds(225), (Policy with { Multiplier = 1.5 }).Ceiling(3));
    }

    [Fact]
    public void FullJitterStaysWithinZeroAndTheCeilingAndSpreadsUniformly()
    {
        var rng = new SimRandom(42, "routing-test/jitter");
        for (var attempt = 1; attempt <= 8; attempt++)
        {
            var ceiling = Policy.Ceiling(attempt);
            double sum = 0;
            const int draws = 2000;
            for (var i = 0; i < draws; i++)
            {
                var delay = Policy.NextDelay(attempt, rng);
                Assert.InRange(delay.Nanoseconds, 0, ceiling.Nanoseconds);
                sum += delay.Nanoseconds;
            }
            // The mean of 2000 uniform draws is within 3% of half the ceiling by a wide margin (sd 0.65%).
            Assert.InRange(sum / draws / ceiling.Nanoseconds, 0.47, 0.53);
        }
    }

    [Fact]
    public void TheSameStreamGivesTheSameDelaysAndAnotherStreamOthers()
    {
        static Duration[] Draw(SimRandom rng) => Enumerable.Range(1, 20).Select(a => Policy.NextDelay(a, rng)).ToArray();
        var first = Draw(new SimRandom(7, "client/0"));
        Assert.Equal(first, Draw(new SimRandom(7, "client/0")));
        Assert.NotEqual(first, Draw(new SimRandom(7, "client/1")));
        Assert.NotEqual(first, Draw(new SimRandom(8, "client/0")));
    }

    [Fact]
    public void OnlyAttemptsThatAreFollowedByARetryHaveADelay()
    {
        var three = Policy with { MaxAttempts = 3 };
        Assert.Equal(Duration.FromMilliseconds(200), three.Ceiling(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => three.Ceiling(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => three.Ceiling(3));
    }

    [Fact]
    public void EveryProblemIsReported()
    {
        var bad = new RetryPolicy
        {
            BackoffBase = Duration.Zero,
            BackoffCap = Duration.FromMilliseconds(-1),
            Multiplier = double.NaN,
            MaxAttempts = 0,
            Deadline = Duration.Zero,
        };
        var errors = bad.Errors();
        Assert.Equal(5, errors.Count);
        Assert.Contains("backoff multiplier must be a finite number of at least 1 (got NaN)", errors);
        Assert.Contains("max attempts must be at least 1 (got 0)", errors);
        var thrown = Assert.Throws<ArgumentException>(() => new RetryingClient(bad, new IndexedRandom(1, "c")));
        Assert.Contains("backoff base must be positive", thrown.Message, StringComparison.Ordinal);
        Assert.Empty(new RetryPolicy().Errors());
        Assert.Empty((new RetryPolicy() with { MaxAttempts = RetryPolicy.MaxAttemptsLimit }).Errors());
        Assert.Equal(["max attempts must be at most 1,000,000 (got 1000001)"], (new RetryPolicy() with { MaxAttempts = 1_000_001 }).Errors());
    }
}
