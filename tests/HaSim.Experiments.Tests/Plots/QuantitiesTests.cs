using HaSim.Experiments.Plots;

namespace HaSim.Experiments.Tests.Plots;

public class QuantitiesTests
{
    [Theory]
    [InlineData(new[] { "2000", "4000", "500.5" }, new[] { 2000, 4000, 500.5 }, "")]
    [InlineData(new[] { "const(500us)", "const(1ms)", "2ms" }, new[] { 0.5, 1, 2 }, "ms")]
    [InlineData(new[] { "250us", "30s" }, new[] { 0.25, 30000 }, "ms")]
    [InlineData(new[] { "10s", "30s", "1m" }, new[] { 10.0, 30, 60 }, "s")]
    [InlineData(new[] { "512B", "8kB" }, new[] { 0.5, 8 }, "kB")]
    [InlineData(new[] { "1MB", "16MB" }, new[] { 1.0, 16 }, "MB")]
    [InlineData(new[] { "80MB/s", "512kB/s" }, new[] { 80, 0.5 }, "MB/s")]
    [InlineData(new[] { "1Gbps", "10Gbps", "const(500Mbps)" }, new[] { 1, 10, 0.5 }, "Gbps")]
    public void ParameterValuesBecomeNumbersInOneUnit(string[] texts, double[] expected, string unit)
    {
        var axis = Quantities.Axis("stats.csv", "p", texts);
        Assert.Equal(unit, axis.Unit);
        Assert.Equal(expected.Length, axis.Values.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], axis.Values[i], 9);
        }
    }

    [Fact]
    public void TheAxisLabelCarriesTheUnit()
    {
        Assert.Equal("network.cross_zone (ms)", Quantities.Axis("f", "p", ["1ms"]).Label("network.cross_zone"));
        Assert.Equal("workload.rate", Quantities.Axis("f", "p", ["2000"]).Label("workload.rate"));
    }

    [Fact]
    public void TextThatIsNotAQuantityIsAnErrorNamingFileParameterAndValue()
    {
        var e = Assert.Throws<PlotInputException>(() => Quantities.Axis("stats.csv", "design", ["first1", "any1"]));
        Assert.StartsWith("stats.csv: parameter 'design' has the value 'first1', which is not numeric; an x axis needs numbers, durations", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<PlotInputException>(() => Quantities.Axis("stats.csv", "network.cross_zone", ["const(1ms)", "lognormal(median=1ms, p99=2ms)"]));
        Assert.Contains("'lognormal(median=1ms, p99=2ms)', which is not numeric", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MixedKindsAreAnError()
    {
        var e = Assert.Throws<PlotInputException>(() => Quantities.Axis("stats.csv", "x", ["10s", "8kB"]));
        Assert.Equal("stats.csv: parameter 'x' mixes durations ('10s') and sizes ('8kB'); an x axis needs one kind of value", e.Message);
    }

    [Fact]
    public void OrderingIsNumericWhenValuesAreQuantitiesAndAsWrittenOtherwise()
    {
        Assert.Equal(["10s", "30s", "2m"], SweepTable.Order(["30s", "2m", "10s"]));
        Assert.Equal(["const(100us)", "const(2ms)"], SweepTable.Order(["const(2ms)", "const(100us)"]));
        Assert.Equal(["first1", "any1", "async"], SweepTable.Order(["first1", "any1", "async"]));
    }
}
