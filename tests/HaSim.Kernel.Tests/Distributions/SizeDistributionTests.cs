using HaSim.Kernel;
using HaSim.Kernel.Distributions;

namespace HaSim.Kernel.Tests.Distributions;

public class SizeDistributionTests
{
    [Theory]
    [InlineData("8kB", 8192.0)]
    [InlineData("512B", 512.0)]
    [InlineData("exp(mean=1MB)", 1048576.0)]
    [InlineData("uniform(min=1kB, max=3kB)", 2048.0)]
    public void SizesTakeThePlaceOfDurations(string text, double mean)
    {
        var d = SizeDistribution.Parse(text);
        Assert.Equal(mean, d.MeanBytes, 6);
        Assert.Equal(text, d.ToString());
    }

    [Fact]
    public void QuantilesAreInBytes()
    {
        var d = SizeDistribution.Parse("lognormal(median=1kB, p99=8kB)");
        Assert.Equal(1024, d.Quantile(0.5), 6);
        Assert.Equal(8192, d.Quantile(0.99), 6);
    }

    [Fact]
    public void SamplesAreAtLeastOneByte()
    {
        var d = SizeDistribution.Parse("uniform(min=0B, max=2B)");
        var rng = new SimRandom(1, 0);
        for (var i = 0; i < 1000; i++)
        {
            Assert.InRange(d.Sample(rng), 1, 2);
        }
    }

    [Theory]
    [InlineData("8ms", "unknown unit 'ms'")]
    [InlineData("exp(mean=5)", "no unit")]
    [InlineData("exp(mean=1kB", "expected ',' or ')'")]
    public void DurationsAreNotSizes(string text, string fragment)
    {
        Assert.False(SizeDistribution.TryParse(text, out _, out var error));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }
}
