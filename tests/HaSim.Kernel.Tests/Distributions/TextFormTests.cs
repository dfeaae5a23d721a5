using HaSim.Kernel.Distributions;
using HaSim.Primitives;

namespace HaSim.Kernel.Tests.Distributions;

public class TextFormTests
{
    /// <summary>Every case is written in canonical form: parsing and printing gives the text back.</summary>
    [Theory]
    [MemberData(nameof(DistributionCases.Names), MemberType = typeof(DistributionCases))]
    public void CanonicalTextRoundTrips(string name)
    {
        var text = DistributionCases.All[name].Text;
        var first = LatencyDistribution.Parse(text);
        var second = LatencyDistribution.Parse(first.ToString());

        Assert.Equal(text, first.ToString());
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.Equal(FirstSamples(first), FirstSamples(second));
    }

    public static TheoryData<string, string> Variants => new()
    {
        // Whitespace around tokens, parameters in any order, units chosen freely.
        { " exp( mean = 1000us ) ", "exp(mean=1ms)" },
        { "uniform(max=1.5ms,min=0.5ms)", "uniform(min=500us, max=1.5ms)" },
        { "normal(sd=0.2ms, mean=1ms)", "normal(mean=1ms, sd=200us)" },
        { "lognormal(p99=2ms, median=0.8ms)", "lognormal(median=800us, p99=2ms)" },
        { "lognormal(sigma=0.50, median=0.8ms)", "lognormal(median=800us, sigma=0.5)" },
        { "lognormal(sigma=5e-1, mu=-7.130)", "lognormal(mu=-7.13, sigma=0.5)" },
        { "gamma(scale=0.5ms, shape=2.0)", "gamma(shape=2, scale=500us)" },
        { "gamma(mean=1ms, shape=3)", "gamma(shape=3, mean=1ms)" },
        { "pareto(alpha=10, xm=0.2ms)", "pareto(xm=200us, alpha=10)" },
        { "pareto(xm=1s, alpha=1e-5)", "pareto(xm=1s, alpha=1E-05)" },
        // A bare duration is a constant, anywhere a distribution may stand.
        { "1ms", "const(1ms)" },
        { "1m30s", "const(90s)" },
        { "const( 0s )", "const(0s)" },
        { "shifted( min=1ms , exp(mean=0.2ms) )", "shifted(min=1ms, exp(mean=200us))" },
        { "mix(1:2ms,1:exp(mean=1ms))", "mix(1: const(2ms), 1: exp(mean=1ms))" },
        { "empirical(0:0.1ms, 1:0.1ms)", "empirical(0: 100us, 1: 100us)" },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void VariantsParseToTheCanonicalForm(string text, string canonical)
    {
        var distribution = LatencyDistribution.Parse(text);

        Assert.Equal(canonical, distribution.ToString());
        Assert.Equal(distribution, LatencyDistribution.Parse(canonical));
    }

    [Fact]
    public void OddNumbersRoundTripExactly()
    {
        // "R" formatting prints the shortest text that reads back to the same double.
        var distribution = LatencyDistribution.Parse("mix(0.1: exp(mean=1ns), 0.30000000000000004: gamma(shape=0.3333333333333333, mean=1h))");

        Assert.Equal(distribution, LatencyDistribution.Parse(distribution.ToString()));
        Assert.Equal("mix(0.1: exp(mean=1ns), 0.30000000000000004: gamma(shape=0.3333333333333333, mean=1h))", distribution.ToString());
    }

    [Fact]
    public void FormsAreKeptAndDistinguished()
    {
        // The same distribution written two ways prints back the way it was written, and the
        // two are not Equal: equality follows the text form.
        var byScale = LatencyDistribution.Parse("gamma(shape=2, scale=0.5ms)");
        var byMean = LatencyDistribution.Parse("gamma(shape=2, mean=1ms)");

        Assert.NotEqual(byScale, byMean);
        Assert.Equal(byScale.Quantile(0.9), byMean.Quantile(0.9));
        Assert.NotEqual(LatencyDistribution.Parse("mix(1: 1ms, 1: 2ms)"), LatencyDistribution.Parse("mix(2: 1ms, 2: 2ms)"));
        Assert.NotEqual(LatencyDistribution.Parse("mix(1: 1ms, 1: 2ms)"), LatencyDistribution.Parse("mix(1: 2ms, 1: 1ms)"));
        Assert.NotEqual(LatencyDistribution.Parse("empirical(0: 1ms, 1: 2ms)"), LatencyDistribution.Parse("empirical(0: 1ms, 1: 3ms)"));
    }

    public static TheoryData<string, int, string> Malformed => new()
    {
        { "", 0, "expected a distribution (const, uniform, exp, normal, lognormal, gamma, pareto, shifted, mix or empirical" },
        { "   ", 3, "found the end of the text" },
        { "foo(mean=1ms)", 0, "unknown distribution 'foo'; expected a distribution (const, uniform, exp" },
        { "Exp(mean=1ms)", 0, "unknown distribution 'Exp' (names are lowercase: exp)" },
        { "exp mean=1ms", 4, "expected '(' after exp, found 'mean'; expected exp(mean=<duration>)" },
        { "exp(meen=1ms)", 4, "unknown parameter 'meen' for exp; expected exp(mean=<duration>)" },
        { "exp(mean=1ms, mean=2ms)", 14, "duplicate parameter 'mean' for exp" },
        { "exp()", 4, "missing 'mean' for exp; expected exp(mean=<duration>)" },
        { "uniform(min=1ms)", 15, "missing 'max' for uniform; expected uniform(min=<duration>, max=<duration>)" },
        { "lognormal(median=1ms)", 20, "missing 'p99' or 'sigma' for lognormal; expected lognormal(median=<duration>, p99=<duration>) or lognormal(median=<duration>, sigma=<number>) or lognormal(mu=<number>, sigma=<number>)" },
        { "lognormal()", 10, "missing parameters for lognormal" },
        { "normal( )", 8, "missing 'mean' and 'sd' for normal" },
        { "lognormal(median=1ms, p99=2ms, sigma=0.5)", 31, "'sigma' cannot be combined with 'median' and 'p99' in lognormal" },
        { "lognormal(mu=-7, median=1ms)", 17, "'median' cannot be combined with 'mu' in lognormal" },
        { "exp(mean=1)", 9, "mean of exp: '1' has a number without a unit; expected a duration with a unit" },
        { "exp(mean=1 ms)", 9, "without a unit" },
        { "exp(mean=1.5.5ms)", 9, "malformed number" },
        { "exp(mean=1parsec)", 9, "unknown unit 'parsec'" },
        { "exp(mean=)", 9, "expected mean of exp (a duration such as 1ms), found ')'" },
        { "exp(mean=0s)", 9, "mean must be positive, got 0s; expected exp(mean=<duration>)" },
        { "exp(mean=-1ms)", 9, "mean must be positive, got -1ms" },
        { "normal(mean=1ms, sd=-0.1ms)", 20, "sd must be positive (use const(...) for a fixed delay), got -100us" },
        { "normal(mean=-1ms, sd=1ms)", 12, "mean must not be negative, got -1ms" },
        { "uniform(min=2ms, max=1ms)", 21, "max must not be less than min, got max=1ms < min=2ms" },
        { "lognormal(median=2ms, p99=1ms)", 26, "p99 must be greater than median, got p99=1ms <= median=2ms" },
        { "lognormal(median=0s, p99=1ms)", 17, "median must be positive, got 0s" },
        { "lognormal(median=1ms, sigma=0)", 28, "sigma must be a positive finite number, got 0" },
        { "lognormal(mu=abc, sigma=1)", 13, "expected mu of lognormal as a finite number, found 'abc'" },
        { "gamma(shape=-1, mean=1ms)", 12, "shape must be between 0.01 and 10000 (a coefficient of variation from 10 down to 0.01), got -1" },
        { "gamma(shape=1e5, scale=1ms)", 12, "shape must be between 0.01 and 10000" },
        { "gamma(shape=2, scale=0s)", 21, "scale must be positive, got 0s" },
        { "pareto(xm=0.2ms, alpha=0)", 23, "alpha must be a positive finite number, got 0; expected pareto(xm=<duration>, alpha=<number>)" },
        { "pareto(xm=0.2ms, alpha=2ms)", 23, "expected alpha of pareto as a finite number (a plain number, without a unit), found '2ms'" },
        { "pareto(xm=0.2ms, alpha=NaN)", 23, "as a finite number, found 'NaN'" },
        { "pareto(xm=0.2ms, alpha=1e999)", 23, "as a finite number, found '1e999'" },
        { "const(-1ms)", 6, "value must not be negative, got -1ms; expected const(<duration>)" },
        { "const(1ms, 2ms)", 9, "expected ')' after the delay, found ','; expected const(<duration>)" },
        { "-1ms", 0, "value must not be negative" },
        { "1", 0, "a bare duration: '1' has a number without a unit" },
        { "shifted(exp(mean=1ms), min=1ms)", 8, "expected min=<duration> first in shifted; expected shifted(min=<duration>, <distribution>)" },
        { "shifted(min=1ms)", 15, "expected ',' and the shifted distribution after min, found ')'" },
        { "shifted(min=-1ms, 1ms)", 12, "min must not be negative" },
        { "mix()", 4, "expected weight in mix as a finite number, found ')'; expected mix(<weight>: <distribution>" },
        { "mix(0.5 exp(mean=1ms))", 8, "expected ':' after the weight, found 'exp'" },
        { "mix(0.9: exp(mean=1ms), 0: exp(mean=2ms))", 24, "weights must be positive finite numbers, got 0" },
        { "mix(0.9: exp(mean=1ms), -0.1: exp(mean=2ms))", 24, "weights must be positive finite numbers, got -0.1" },
        { "mix(1e308: 1ms, 1e308: 2ms)", 16, "the weights' sum overflows" },
        { "mix(0.5: exp(mean=1ms), 0.5: )", 29, "expected a distribution (const, uniform" },
        { "mix(1: exp(meen=1ms))", 11, "unknown parameter 'meen' for exp" },
        { "empirical(0.1: 1ms, 1: 2ms)", 10, "the first probability must be exactly 0, got 0.1" },
        { "empirical(0: 1ms, 0.99: 2ms)", 18, "the last probability must be exactly 1, got 0.99" },
        { "empirical(0: 1ms)", 10, "empirical needs at least two points" },
        { "empirical(0: 1ms, 0.5: 0.5ms, 1: 2ms)", 23, "durations must not decrease, got 500us after 1ms" },
        { "empirical(0: 1ms, 0.5: 2ms, 0.5: 3ms, 1: 4ms)", 28, "probabilities must increase strictly, got 0.5 after 0.5" },
        { "empirical(0: -1ms, 1: 2ms)", 13, "durations must not be negative, got -1ms" },
        { "empirical(0: 1, 1: 2ms)", 13, "duration in empirical: '1' has a number without a unit" },
        { "exp(mean=1ms) x", 14, "unexpected 'x' after the distribution; expected the end of the text" },
        { "exp(mean=1ms))", 13, "unexpected ')' after the distribution (unbalanced parentheses)" },
        { "exp(mean=1ms", 12, "expected ',' or ')', found the end of the text (unbalanced parentheses: a ')' is missing)" },
        { "mix(1: exp(mean=1ms)", 20, "a ')' is missing" },
        { "exp(mean=1ms,)", 13, "expected a parameter name, found ')'" },
        { "exp(mean=1ms; sd=1ms)", 9, "mean of exp: '1ms;' has an unknown unit 'ms;'" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedTextGivesColumnAndExpectation(string text, int column, string message)
    {
        Assert.False(LatencyDistribution.TryParse(text, out var distribution, out var error));
        Assert.Null(distribution);
        Assert.Contains(message, error.Reason, StringComparison.Ordinal);
        Assert.Equal(column, error.Column);

        var exception = Assert.Throws<FormatException>(() => LatencyDistribution.Parse(text));
        Assert.Equal(error.Message, exception.Message);
        Assert.StartsWith($"at column {column}: ", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NestingIsBoundedWithAMessage()
    {
        string Nested(int depth) => string.Concat(Enumerable.Repeat("shifted(min=0s, ", depth - 1)) + "1ms" + new string(')', depth - 1);

        Assert.True(LatencyDistribution.TryParse(Nested(DistributionParser.MaxDepth), out _, out _));
        Assert.False(LatencyDistribution.TryParse(Nested(DistributionParser.MaxDepth + 1), out _, out var error));
        Assert.Contains("nest deeper than 64 levels", error.Reason, StringComparison.Ordinal);
        // Far deeper than any stack allows for unbounded recursion: still a message, not a crash.
        Assert.False(LatencyDistribution.TryParse(Nested(1_000_000), out _, out _));
    }

    [Fact]
    public void NullTextIsAnErrorNotAnException()
    {
        Assert.False(LatencyDistribution.TryParse(null, out _, out var error));
        Assert.Equal(0, error.Column);
    }

    [Fact]
    public void ConstructorsEnforceTheSameRules()
    {
        var ms = Duration.FromMilliseconds(1);

        Assert.Equal("mean", Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialLatency(Duration.Zero)).ParamName);
        Assert.Equal("max", Assert.Throws<ArgumentOutOfRangeException>(() => new UniformLatency(ms * 2, ms)).ParamName);
        Assert.Equal("sd", Assert.Throws<ArgumentOutOfRangeException>(() => new TruncatedNormalLatency(ms, Duration.Zero)).ParamName);
        Assert.Equal("p99", Assert.Throws<ArgumentOutOfRangeException>(() => LogNormalLatency.FromMedianAndP99(ms, ms)).ParamName);
        Assert.Equal("sigma", Assert.Throws<ArgumentOutOfRangeException>(() => LogNormalLatency.FromMuAndSigma(-7, double.NaN)).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentOutOfRangeException>(() => GammaLatency.FromShapeAndMean(0, ms)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new ParetoLatency(ms, -1)).ParamName);
        Assert.Equal("min", Assert.Throws<ArgumentOutOfRangeException>(() => new ShiftedLatency(-ms, new ConstantLatency(ms))).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentOutOfRangeException>(() => new MixtureLatency([])).ParamName);
        Assert.Equal("probability", Assert.Throws<ArgumentOutOfRangeException>(() => new EmpiricalLatency([new(0, ms), new(0.5, ms)])).ParamName);
    }

    [Fact]
    public void ConstructedDistributionsPrintTheirTextForm()
    {
        var ms = Duration.FromMilliseconds(1);
        var mixture = new MixtureLatency(
        [
            new(0.9, new ParetoLatency(Duration.FromMicroseconds(200), 10)),
            new(0.1, new ShiftedLatency(ms, LogNormalLatency.FromMedianAndSigma(ms, 0.25))),
        ]);

        Assert.Equal("mix(0.9: pareto(xm=200us, alpha=10), 0.1: shifted(min=1ms, lognormal(median=1ms, sigma=0.25)))", mixture.ToString());
        Assert.Equal(mixture, LatencyDistribution.Parse(mixture.ToString()));
    }

    private static long[] FirstSamples(LatencyDistribution distribution)
    {
        var rng = new SimRandom(99, "round-trip");
        return [.. Enumerable.Range(0, 1000).Select(_ => distribution.Sample(rng).Nanoseconds)];
    }
}
